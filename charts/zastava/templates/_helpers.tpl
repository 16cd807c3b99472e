{{/*
Names, labels and small computed values shared by the templates.
*/}}

{{- define "zastava.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every object's name: the release name when it contains the chart name. */}}
{{- define "zastava.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "zastava.webhookName" -}}{{ include "zastava.fullname" . }}-webhook{{- end -}}
{{- define "zastava.operatorName" -}}{{ include "zastava.fullname" . }}-operator{{- end -}}
{{- define "zastava.invalidatorName" -}}{{ include "zastava.fullname" . }}-invalidator{{- end -}}
{{- define "zastava.certgenName" -}}{{ include "zastava.fullname" . }}-certgen{{- end -}}
{{- define "zastava.policyConfigMap" -}}{{ include "zastava.fullname" . }}-policy{{- end -}}
{{- define "zastava.defaultsConfigMap" -}}{{ include "zastava.fullname" . }}-operator-defaults{{- end -}}
{{- define "zastava.tlsSecret" -}}{{ default (printf "%s-tls" (include "zastava.webhookName" .)) .Values.certificates.secretName }}{{- end -}}
{{- define "zastava.webhookConfigName" -}}{{ include "zastava.fullname" . }}-webhook{{- end -}}

{{- define "zastava.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "zastava.labels" -}}
helm.sh/chart: {{ include "zastava.chart" . }}
app.kubernetes.io/name: {{ include "zastava.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: zastava
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "webhook"). */}}
{{- define "zastava.selectorLabels" -}}
app.kubernetes.io/name: {{ include "zastava.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "zastava.componentLabels" -}}
{{ include "zastava.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image reference: repository@digest, else repository:tag (tag defaults to appVersion). */}}
{{- define "zastava.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The webhook's --request-deadline: the value, else timeoutSeconds - 2 (at least 1) seconds. */}}
{{- define "zastava.requestDeadline" -}}
{{- if .Values.webhook.requestDeadline -}}
{{- .Values.webhook.requestDeadline -}}
{{- else -}}
{{- max 1 (sub (int .Values.webhook.timeoutSeconds) 2) -}}s
{{- end -}}
{{- end -}}

{{/* Pod security context shared by every pod: non-root (65532, as the invalidation Jobs), RuntimeDefault seccomp. */}}
{{- define "zastava.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container security context shared by every container. */}}
{{- define "zastava.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Refuses value combinations that cannot work, with a message naming the value. */}}
{{- define "zastava.validateValues" -}}
{{- $modes := list "helm" "certManager" "job" -}}
{{- if not (has .Values.certificates.mode $modes) -}}
{{- fail (printf "certificates.mode must be one of %s, not %q" (join ", " $modes) .Values.certificates.mode) -}}
{{- end -}}
{{- if not (has .Values.stores.mode (list "embedded" "postgres")) -}}
{{- fail (printf "stores.mode must be embedded or postgres, not %q" .Values.stores.mode) -}}
{{- end -}}
{{- if and (eq .Values.stores.mode "postgres") (not .Values.stores.postgres.existingSecret) -}}
{{- fail "stores.mode postgres needs stores.postgres.existingSecret (a Secret holding the postgresql:// URL)" -}}
{{- end -}}
{{- if not (has .Values.webhook.failurePolicy (list "Fail" "Ignore")) -}}
{{- fail (printf "webhook.failurePolicy must be Fail or Ignore, not %q" .Values.webhook.failurePolicy) -}}
{{- end -}}
{{- $timeout := int .Values.webhook.timeoutSeconds -}}
{{- if or (lt $timeout 1) (gt $timeout 30) -}}
{{- fail "webhook.timeoutSeconds must be from 1 to 30 (kube-apiserver's range)" -}}
{{- end -}}
{{- if lt (int .Values.webhook.replicas) 1 -}}
{{- fail "webhook.replicas must be at least 1" -}}
{{- end -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElect) -}}
{{- fail "operator.replicas > 1 needs operator.leaderElect: true (two active operators would fight over the ConfigMap)" -}}
{{- end -}}
{{- end -}}
