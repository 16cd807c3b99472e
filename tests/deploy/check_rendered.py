#!/usr/bin/env python3
"""Structural checks of what Zastava installs: the Helm chart rendered with
given values, or the plain manifests/ directory.

    check_rendered.py --root ROOT --helm HELM --case NAME [--stella STELLA]
    check_rendered.py --root ROOT --manifests DIR [--stella STELLA]

A case (CASES below) is a set of `--set` values and what the render must then
say (failure policy, timeouts, replicas, certificate and store modes). Without
a cluster, this checks what a cluster would refuse or get wrong:

- every object has apiVersion, kind and metadata.name; namespaced kinds are in
  the release namespace and cluster-scoped ones have no namespace; no two
  objects share kind, namespace and name;
- the ValidatingWebhookConfiguration: admissionReviewVersions [v1, v1beta1],
  sideEffects NoneOnDryRun, failurePolicy, timeoutSeconds, matchPolicy
  Equivalent, the rules (pods and pods/ephemeralcontainers, the six workload
  kinds; CREATE and UPDATE), a namespaceSelector that leaves out kube-system
  and Zastava's namespace by kubernetes.io/metadata.name, and a clientConfig
  naming the Service, its port and /validate; the caBundle (helm mode: the CA
  that signed the Secret's certificate, checked with openssl; cert-manager:
  the inject-ca-from annotation naming the Certificate; job mode: the Jobs
  that make the Secret and patch it in);
- every ServiceAccount a pod or a binding names exists, and every role a
  binding names; RBAC rules grant exactly the verbs listed in ALLOWED_RULES
  (no wildcards, no non-resource URLs);
- Deployments: probes (the webhook's over HTTPS on its listen port), resource
  requests and memory limits, non-root read-only security contexts; the
  webhook's and the operator's flags exist in webhook/config.cpp and
  operator/config.cpp, and each flag naming a file points into a mounted
  volume of the right source (the policy ConfigMap, the TLS Secret, ...);
  the store flags follow the store mode; the Service targets the webhook's
  ports; the PodDisruptionBudget selects the webhook's pods;
- the operator's defaults file is a valid compiled-policy `defaults` section
  (`stella policy check` on a CompiledPolicy wrapping it, when --stella is
  given);
- CRDs in the render (manifests/) are byte for byte crds/*.yaml and pass
  tests/crds/check_crds.py's structural checks.

Python 3 stdlib plus PyYAML; openssl for the certificate checks.
"""

import argparse
import base64
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

NAMESPACE = "zastava-system"
RELEASE = "zastava"

# What each case sets, and what the render must then show.
CASES = {
    "default": {"set": [], "expect": {}},
    "job-certs": {
        "set": ["certificates.mode=job", "namespace.create=true"],
        "expect": {"certificates": "job", "namespace_object": True},
    },
    "cert-manager": {
        "set": ["certificates.mode=certManager"],
        "expect": {"certificates": "certManager"},
    },
    "cert-manager-issuer": {
        "set": ["certificates.mode=certManager",
                "certificates.certManager.issuerRef.name=cluster-ca",
                "certificates.certManager.issuerRef.kind=ClusterIssuer",
                "certificates.certManager.issuerRef.group=cert-manager.io"],
        "expect": {"certificates": "certManager", "issuer": "cluster-ca"},
    },
    "postgres": {
        "set": ["stores.mode=postgres", "stores.postgres.existingSecret=zastava-pg",
                "stores.valkey.existingSecret=zastava-valkey"],
        "expect": {"stores": "postgres", "valkey": True},
    },
    "postgres-only": {
        "set": ["stores.mode=postgres", "stores.postgres.existingSecret=zastava-pg",
                "stores.postgres.key=dsn"],
        "expect": {"stores": "postgres", "valkey": False},
    },
    "failure-ignore": {
        "set": ["webhook.failurePolicy=Ignore", "webhook.timeoutSeconds=5"],
        "expect": {"failurePolicy": "Ignore", "timeoutSeconds": 5, "requestDeadline": "3s"},
    },
    "replicas": {
        "set": ["webhook.replicas=3", "operator.replicas=1", "operator.leaderElect=false"],
        "expect": {"webhook_replicas": 3, "operator_replicas": 1, "leaderElect": "false"},
    },
    "single-webhook": {
        "set": ["webhook.replicas=1"],
        "expect": {"webhook_replicas": 1},
    },
    "api-token": {
        "set": ["webhook.apiToken.existingSecret=zastava-api-token"],
        "expect": {"api_token": True},
    },
    "other-release-namespace": {
        "release": "zst",
        "namespace": "security",
        "set": ["webhook.excludedNamespaces={kube-system,kube-public}"],
        "expect": {"excluded": ["kube-system", "kube-public", "security"]},
    },
}

# Values that must be refused (by values.schema.json or the chart's own
# checks in _helpers.tpl), with (part of) the message.
INVALID = [
    (["certificates.mode=selfSigned"], 'certificates.mode must be one of the following: "helm"'),
    (["stores.mode=postgres"], "needs stores.postgres.existingSecret"),
    (["stores.mode=valkey"], 'stores.mode must be one of the following: "embedded", "postgres"'),
    (["webhook.failurePolicy=Deny"], 'webhook.failurePolicy must be one of the following: "Fail", "Ignore"'),
    (["webhook.timeoutSeconds=31"], "webhook.timeoutSeconds: Must be less than or equal to 30"),
    (["webhook.timeoutSeconds=0"], "webhook.timeoutSeconds: Must be greater than or equal to 1"),
    (["operator.replicas=2", "operator.leaderElect=false"], "needs operator.leaderElect"),
    (["webhook.replica=3"], "Additional property replica is not allowed"),
    (["operator.resync=5x"], "operator.resync: Does not match pattern"),
    (["image.digest=sha256:abc"], "image.digest: Does not match pattern"),
]

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding",
                  "ValidatingWebhookConfiguration", "CustomResourceDefinition"}
NAMESPACED = {"ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "Service",
              "Deployment", "PodDisruptionBudget", "Job", "Issuer", "Certificate"}

# (apiGroup, resource, verb) each component's account may be granted: the
# issue's least-privilege list. Anything else, or anything missing, fails.
ALLOWED_RULES = {
    "webhook": {("", "namespaces", v) for v in ("get", "list", "watch")}
    | {("events.k8s.io", "events", v) for v in ("create", "patch")},
    "operator": {("zastava.stellaops.io", r, v)
                 for r in ("facetpolicies", "provcachepolicies") for v in ("get", "list", "watch")}
    | {("zastava.stellaops.io", r, v)
       for r in ("facetpolicies/status", "provcachepolicies/status") for v in ("update", "patch")}
    | {("", "secrets", "get")}
    | {("events.k8s.io", "events", v) for v in ("create", "patch")}
    | {("", "configmaps", v) for v in ("get", "list", "watch", "create", "update", "patch")}
    | {("batch", "jobs", v) for v in ("create", "get", "list", "watch")}
    | {("", "pods", v) for v in ("get", "list", "watch")}
    | {("coordination.k8s.io", "leases", v) for v in ("get", "create", "update")},
    "certgen": {("", "secrets", v) for v in ("get", "create")}
    | {("admissionregistration.k8s.io", "validatingwebhookconfigurations", v)
       for v in ("get", "patch")},
}
# Rules that must live in a namespaced Role (never cluster-wide).
NAMESPACE_ONLY = {("", "configmaps"), ("batch", "jobs"), ("", "pods"),
                  ("coordination.k8s.io", "leases")}

WORKLOAD_RULES = {("apps", r) for r in ("deployments", "replicasets", "statefulsets", "daemonsets")} \
    | {("batch", r) for r in ("jobs", "cronjobs")}
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")

failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def check(condition, where, message):
    if not condition:
        fail(where, message)
    return condition


def describe(obj):
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')}/{meta.get('namespace', '-')}/{meta.get('name')}"


# ---- loading -------------------------------------------------------------


def helm_template(helm, root, release, namespace, values, include_crds=False):
    command = [helm, "template", release, os.path.join(root, "charts", "zastava"),
               "--namespace", namespace]
    for value in values:
        command += ["--set", value]
    if include_crds:
        command.append("--include-crds")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def load_documents(text, where):
    docs = []
    try:
        for doc in yaml.safe_load_all(text):
            if doc is not None:
                docs.append(doc)
    except yaml.YAMLError as error:
        fail(where, f"not YAML: {error}")
    return docs


def load_manifests(directory):
    docs = []
    names = sorted(n for n in os.listdir(directory) if n.endswith((".yaml", ".yml")))
    check(names, directory, "no YAML files")
    for name in names:
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            docs += load_documents(f.read(), name)
    return docs, names


def import_check_crds(root):
    path = os.path.join(root, "tests", "crds", "check_crds.py")
    saved = sys.argv
    sys.argv = [path, root]  # check_crds.py takes the repository root from argv
    try:
        spec = importlib.util.spec_from_file_location("check_crds", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.argv = saved
    return module


def flags_in_source(path, pattern):
    with open(path, encoding="utf-8") as f:
        return set(re.findall(pattern, f.read()))


# ---- objects ---------------------------------------------------------------


class Render:
    def __init__(self, docs, namespace, release):
        self.docs = docs
        self.namespace = namespace
        self.release = release
        self.fullname = release if "zastava" in release else f"{release}-zastava"

    def of_kind(self, kind):
        return [d for d in self.docs if d.get("kind") == kind]

    def get(self, kind, name):
        for d in self.of_kind(kind):
            if d["metadata"].get("name") == name:
                return d
        return None

    def component(self, obj):
        return (obj.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/component")

    def deployment(self, component):
        found = [d for d in self.of_kind("Deployment") if self.component(d) == component]
        check(len(found) == 1, "Deployment", f"expected one {component} Deployment, got {len(found)}")
        return found[0] if found else None


def check_metadata(render):
    seen = set()
    for obj in render.docs:
        where = describe(obj)
        for field in ("apiVersion", "kind", "metadata"):
            check(field in obj, where, f"no {field}")
        meta = obj.get("metadata") or {}
        name = meta.get("name")
        if not check(isinstance(name, str) and name, where, "no metadata.name"):
            continue
        check(DNS_SUBDOMAIN.match(name) is not None, where, "name is not a DNS subdomain")
        kind = obj.get("kind")
        if kind in CLUSTER_SCOPED:
            check("namespace" not in meta, where, "cluster-scoped object with a namespace")
        elif kind in NAMESPACED:
            check(meta.get("namespace") == render.namespace, where,
                  f"namespace must be {render.namespace}")
        else:
            fail(where, "unexpected kind (add it to CLUSTER_SCOPED or NAMESPACED)")
        key = (kind, meta.get("namespace"), name)
        check(key not in seen, where, "duplicate object")
        seen.add(key)
        for labels in (meta.get("labels") or {}, ):
            for k, v in labels.items():
                check(isinstance(v, str), where, f"label {k} is not a string")


# ---- pods ------------------------------------------------------------------


def pod_specs(render):
    """(owner, pod spec) of every Deployment and Job."""
    for obj in render.of_kind("Deployment") + render.of_kind("Job"):
        yield obj, obj["spec"]["template"]["spec"]


def parse_args(container):
    flags = {}
    for arg in container.get("args", []):
        if not arg.startswith("--"):
            continue
        name, _, value = arg[2:].partition("=")
        flags[name] = value
    return flags


def mount_for(path, container, pod):
    """The volume (from the pod) whose mount holds path, or None."""
    best = None
    for mount in container.get("volumeMounts", []):
        prefix = mount["mountPath"].rstrip("/") + "/"
        if (path.startswith(prefix) or path + "/" == prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, mount)
    if best is None:
        return None, None
    volume = next((v for v in pod.get("volumes", []) if v["name"] == best[1]["name"]), None)
    return volume, path[len(best[0]):] if path.startswith(best[0]) else ""


def check_security(where, pod, container, *, needs_probes):
    psc = pod.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True, where, "pod securityContext.runAsNonRoot must be true")
    check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where,
          "pod seccompProfile must be RuntimeDefault")
    sc = container.get("securityContext", {})
    check(sc.get("readOnlyRootFilesystem") is True, where, "readOnlyRootFilesystem must be true")
    check(sc.get("allowPrivilegeEscalation") is False, where, "allowPrivilegeEscalation must be false")
    check(sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, where, "must run as non-root")
    check("ALL" in sc.get("capabilities", {}).get("drop", []), where, "capabilities must drop ALL")
    check(not sc.get("privileged", False), where, "privileged")
    resources = container.get("resources", {})
    for kind in ("cpu", "memory"):
        check(kind in resources.get("requests", {}), where, f"no {kind} request")
    check("memory" in resources.get("limits", {}), where, "no memory limit")
    if needs_probes:
        for probe in ("livenessProbe", "readinessProbe"):
            check(probe in container, where, f"no {probe}")


def resolve_port(container, port):
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    return None


def check_pods(render, service_accounts):
    for owner, pod in pod_specs(render):
        where = describe(owner)
        sa = pod.get("serviceAccountName")
        check(sa in service_accounts, where, f"serviceAccountName {sa!r} is not rendered")
        mounts_ok = {v["name"] for v in pod.get("volumes", [])}
        for container in pod.get("initContainers", []) + pod["containers"]:
            cwhere = f"{where}[{container['name']}]"
            check_security(cwhere, pod, container,
                           needs_probes=owner["kind"] == "Deployment")
            for mount in container.get("volumeMounts", []):
                check(mount["name"] in mounts_ok, cwhere, f"mount of undeclared volume {mount['name']}")
            check(":" in container.get("image", "") or "@" in container.get("image", ""), cwhere,
                  "image must carry a tag or digest")


# ---- the webhook -------------------------------------------------------------


def binary_container(deploy, known_flags, binary, source):
    """The Deployment's pod spec, its first container and that container's
    flags, each flag checked against the binary's own list (from `source`)."""
    where = describe(deploy)
    pod = deploy["spec"]["template"]["spec"]
    container = pod["containers"][0]
    flags = parse_args(container)
    for name in flags:
        check(name in known_flags, where, f"--{name} is not a {binary} flag ({source})")
    return where, pod, container, flags


def check_webhook(render, expect, webhook_flags, tls_secret_sources):
    deploy = render.deployment("webhook")
    if deploy is None:
        return
    where, pod, container, flags = binary_container(deploy, webhook_flags, "zastava-webhook",
                                                    "webhook/config.cpp")
    check(deploy["spec"]["replicas"] == expect.get("webhook_replicas", 2), where, "replicas")
    check(deploy["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, where,
          "a rolling update must not drop a replica first")
    spread = pod.get("topologySpreadConstraints") or pod.get("affinity", {}).get("podAntiAffinity")
    check(bool(spread), where, "replicas are not spread (anti-affinity / topology spread)")

    def file_flag(flag, volume_kind, source_name=None, key=None, optional=None):
        path = flags.get(flag)
        if not check(path, where, f"--{flag} missing"):
            return None
        volume, rest = mount_for(path, container, pod)
        if not check(volume is not None, where, f"--{flag} {path} is not under a volume mount"):
            return None
        check(volume_kind in volume, where, f"--{flag} {path}: volume {volume['name']} is not a {volume_kind}")
        if source_name is not None and volume_kind in volume:
            source = volume[volume_kind]
            actual = source.get("name", source.get("secretName"))
            check(actual == source_name, where, f"--{flag}: volume {volume['name']} holds {actual}, not {source_name}")
            if optional is not None:
                check(source.get("optional", False) == optional, where, f"--{flag}: optional must be {optional}")
        if key is not None:
            check(rest == key, where, f"--{flag} {path} reads key {rest!r}, not {key!r}")
        return volume

    policy_cm = f"{render.fullname}-policy"
    file_flag("policy-file", "configMap", policy_cm, key="policy.json", optional=True)
    check(flags.get("policy-file") == "/etc/zastava/policy/policy.json", where,
          "--policy-file must be /etc/zastava/policy/policy.json")
    tls_secret = f"{render.fullname}-webhook-tls"
    file_flag("tls-cert", "secret", tls_secret, key="tls.crt")
    file_flag("tls-key", "secret", tls_secret, key="tls.key")
    check(tls_secret in tls_secret_sources, where, f"nothing makes the TLS Secret {tls_secret}")
    for flag in ("api-token-file", "api-client-ca", "config", "audit-log", "kubeconfig"):
        if flag in flags:
            volume = file_flag(flag, "secret" if flag != "audit-log" else "emptyDir")
            if flag == "api-token-file" and volume is not None:
                check(volume["secret"]["secretName"] == "zastava-api-token", where, "api token Secret")
    check(("api-token-file" in flags) == bool(expect.get("api_token")), where, "--api-token-file")

    env = {e["name"]: e for e in container.get("env", [])}
    check(env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
          == "metadata.name", where, "POD_NAME from the downward API")
    stores = expect.get("stores", "embedded")
    if stores == "embedded":
        file_flag("store-dir", "emptyDir")
        check("postgres" not in flags and "valkey" not in flags, where, "embedded with server stores")
    else:
        check("store-dir" not in flags, where, "--store-dir with --postgres (the webhook refuses it)")
        check(flags.get("postgres") == "$(ZASTAVA_POSTGRES_URL)", where, "--postgres from the env")
        ref = env.get("ZASTAVA_POSTGRES_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
        check(ref.get("name") == "zastava-pg", where, "postgres URL from Secret zastava-pg")
        check(ref.get("key") == ("url" if expect.get("valkey") else "dsn"), where, "postgres Secret key")
        if expect.get("valkey"):
            check(flags.get("valkey") == "$(ZASTAVA_VALKEY_URL)", where, "--valkey from the env")
            vref = env.get("ZASTAVA_VALKEY_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
            check(vref.get("name") == "zastava-valkey", where, "valkey URL from Secret zastava-valkey")
        else:
            check("valkey" not in flags and "ZASTAVA_VALKEY_URL" not in env, where, "no valkey expected")

    listen_port = int(flags.get("listen", ":0").rsplit(":", 1)[1])
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    check(ports.get("https") == listen_port == 8443, where, "container port https must be --listen (8443)")
    check(ports.get("https-api") == int(flags.get("api-listen", ":0").rsplit(":", 1)[1]), where, "api port")
    check(ports.get("http-metrics") == int(flags.get("metrics-listen", ":0").rsplit(":", 1)[1]), where,
          "metrics port")
    for probe_name, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        probe = container.get(probe_name, {}).get("httpGet", {})
        check(probe.get("scheme") == "HTTPS", where, f"{probe_name} must use HTTPS")
        check(probe.get("path") == path, where, f"{probe_name} path must be {path}")
        check(resolve_port(container, probe.get("port")) == listen_port, where,
              f"{probe_name} must probe the webhook port")
    deadline = flags.get("request-deadline", "")
    timeout = expect.get("timeoutSeconds", 10)
    check(deadline == expect.get("requestDeadline", "8s"), where, f"--request-deadline {deadline}")
    if deadline.endswith("s") and deadline[:-1].isdigit():
        check(int(deadline[:-1]) < timeout, where, "--request-deadline must be below timeoutSeconds")

    labels = deploy["spec"]["template"]["metadata"]["labels"]
    selector = deploy["spec"]["selector"]["matchLabels"]
    check(all(labels.get(k) == v for k, v in selector.items()), where, "selector does not match the pod labels")

    service = render.get("Service", f"{render.fullname}-webhook")
    if check(service is not None, where, "no webhook Service"):
        sel = service["spec"]["selector"]
        check(sel == selector, describe(service), "selector is not the webhook's pods")
        sports = {p["name"]: p for p in service["spec"]["ports"]}
        https = sports.get("https", {})
        check(https.get("port") == 443, describe(service), "port 443 expected")
        check(resolve_port(container, https.get("targetPort")) == listen_port, describe(service),
              "443 must target the webhook's port")
        for name in ("https-api", "http-metrics"):
            check(resolve_port(container, sports.get(name, {}).get("targetPort")) == ports.get(name),
                  describe(service), f"{name} must target the container port")

    pdbs = render.of_kind("PodDisruptionBudget")
    if deploy["spec"]["replicas"] > 1:
        if check(len(pdbs) == 1, where, "a PodDisruptionBudget is expected with 2+ replicas"):
            check(pdbs[0]["spec"].get("minAvailable") == 1, describe(pdbs[0]), "minAvailable 1")
            check(pdbs[0]["spec"]["selector"]["matchLabels"] == selector, describe(pdbs[0]),
                  "selects the webhook pods")
    else:
        check(not pdbs, where, "a PodDisruptionBudget with minAvailable 1 on one replica blocks drains")
    return service


def check_webhook_configuration(render, expect, service):
    configs = render.of_kind("ValidatingWebhookConfiguration")
    if not check(len(configs) == 1, "ValidatingWebhookConfiguration", f"expected one, got {len(configs)}"):
        return None
    vwc = configs[0]
    where = describe(vwc)
    check(vwc["apiVersion"] == "admissionregistration.k8s.io/v1", where, "apiVersion")
    webhooks = vwc.get("webhooks", [])
    check(len(webhooks) >= 1, where, "no webhooks")
    excluded = set(expect.get("excluded", ["kube-system", render.namespace]))
    for hook in webhooks:
        hwhere = f"{where}:{hook.get('name')}"
        check(len(hook.get("name", "").split(".")) >= 3, hwhere, "name must be a qualified name")
        check(hook.get("admissionReviewVersions") == ["v1", "v1beta1"], hwhere, "admissionReviewVersions")
        check(hook.get("sideEffects") == "NoneOnDryRun", hwhere, "sideEffects")
        check(hook.get("failurePolicy") == expect.get("failurePolicy", "Fail"), hwhere, "failurePolicy")
        check(hook.get("timeoutSeconds") == expect.get("timeoutSeconds", 10), hwhere, "timeoutSeconds")
        check(hook.get("matchPolicy") == "Equivalent", hwhere, "matchPolicy")
        svc = hook.get("clientConfig", {}).get("service", {})
        check("url" not in hook.get("clientConfig", {}), hwhere, "clientConfig.url")
        if service is not None:
            check(svc.get("name") == service["metadata"]["name"], hwhere, "clientConfig names the Service")
            check(svc.get("namespace") == render.namespace, hwhere, "clientConfig namespace")
            check(svc.get("port") in [p["port"] for p in service["spec"]["ports"]], hwhere,
                  "clientConfig port is not a Service port")
        check(svc.get("path") == "/validate", hwhere, "path /validate")
        expressions = hook.get("namespaceSelector", {}).get("matchExpressions", [])
        names = [e for e in expressions if e.get("key") == "kubernetes.io/metadata.name"]
        if check(len(names) == 1 and names[0].get("operator") == "NotIn", hwhere,
                 "namespaceSelector needs kubernetes.io/metadata.name NotIn"):
            check(set(names[0].get("values", [])) == excluded, hwhere,
                  f"excluded namespaces {names[0].get('values')} != {sorted(excluded)}")
        covered = set()
        for rule in hook.get("rules", []):
            ops = set(rule.get("operations", []))
            check(ops == {"CREATE", "UPDATE"}, hwhere, f"operations {sorted(ops)}")
            check("*" not in rule.get("resources", []) + rule.get("apiGroups", []), hwhere, "wildcard rule")
            check(rule.get("apiVersions") == ["v1"], hwhere, "apiVersions [v1]")
            for group in rule.get("apiGroups", []):
                for resource in rule.get("resources", []):
                    covered.add((group, resource))
        needed = {("", "pods"), ("", "pods/ephemeralcontainers")} | WORKLOAD_RULES
        check(needed <= covered, hwhere, f"rules miss {sorted(needed - covered)}")
    return vwc


def openssl(*args, data=None):
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=False)
    return done.returncode, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")


def check_certificates(render, expect, vwc):
    """Returns the names of the Secrets the render makes (or has made) for TLS."""
    mode = expect.get("certificates", "helm")
    tls_secret = f"{render.fullname}-webhook-tls"
    svc = f"{render.fullname}-webhook"
    dns = f"{svc}.{render.namespace}.svc"
    made = set()
    hooks = vwc.get("webhooks", []) if vwc else []
    annotations = (vwc or {}).get("metadata", {}).get("annotations") or {}
    if mode == "helm":
        secret = render.get("Secret", tls_secret)
        if not check(secret is not None, "helm certificates", f"no Secret {tls_secret}"):
            return made
        made.add(tls_secret)
        check(secret.get("type") == "kubernetes.io/tls", describe(secret), "type kubernetes.io/tls")
        data = secret.get("data", {})
        for key in ("tls.crt", "tls.key", "ca.crt"):
            check(key in data, describe(secret), f"no {key}")
        for hook in hooks:
            check(hook["clientConfig"].get("caBundle") == data.get("ca.crt"), hook["name"],
                  "caBundle must be the Secret's ca.crt")
        with tempfile.TemporaryDirectory() as tmp:
            paths = {}
            for key in ("tls.crt", "ca.crt", "tls.key"):
                paths[key] = os.path.join(tmp, key)
                with open(paths[key], "wb") as f:
                    f.write(base64.b64decode(data.get(key, "")))
            rc, out = openssl("verify", "-CAfile", paths["ca.crt"], "-purpose", "sslserver", paths["tls.crt"])
            check(rc == 0, describe(secret), f"tls.crt does not verify against ca.crt: {out.strip()}")
            rc, out = openssl("x509", "-in", paths["tls.crt"], "-noout", "-ext", "subjectAltName")
            check(rc == 0 and f"DNS:{dns}" in out, describe(secret), f"tls.crt lacks DNS:{dns}: {out.strip()}")
            rc1, pub_cert = openssl("x509", "-in", paths["tls.crt"], "-noout", "-pubkey")
            rc2, pub_key = openssl("pkey", "-in", paths["tls.key"], "-pubout")
            check(rc1 == 0 and rc2 == 0 and pub_cert.strip() == pub_key.strip(), describe(secret),
                  "tls.key is not tls.crt's key")
    elif mode == "certManager":
        certificate = render.get("Certificate", svc)
        if not check(certificate is not None, "cert-manager", f"no Certificate {svc}"):
            return made
        made.add(certificate["spec"]["secretName"])
        check(dns in certificate["spec"].get("dnsNames", []), describe(certificate), f"dnsNames lack {dns}")
        check(annotations.get("cert-manager.io/inject-ca-from") == f"{render.namespace}/{svc}",
              describe(vwc), "cert-manager.io/inject-ca-from must name the Certificate")
        for hook in hooks:
            check("caBundle" not in hook["clientConfig"], hook["name"], "caBundle is cainjector's to write")
        issuer = certificate["spec"]["issuerRef"]
        if expect.get("issuer"):
            check(issuer.get("name") == expect["issuer"], describe(certificate), "issuerRef")
            check(not render.of_kind("Issuer"), "cert-manager", "no Issuer should be made")
        else:
            ca_issuer = render.get("Issuer", issuer.get("name"))
            if check(ca_issuer is not None, describe(certificate), "issuerRef names no rendered Issuer"):
                ca_secret = ca_issuer["spec"].get("ca", {}).get("secretName")
                ca_cert = [c for c in render.of_kind("Certificate") if c["spec"].get("secretName") == ca_secret]
                check(len(ca_cert) == 1 and ca_cert[0]["spec"].get("isCA") is True, describe(ca_issuer),
                      "the CA Issuer's Secret must come from an isCA Certificate")
    elif mode == "job":
        jobs = {j["metadata"]["name"]: j for j in render.of_kind("Job")}
        create = jobs.get(f"{render.fullname}-certgen-create")
        patch = jobs.get(f"{render.fullname}-certgen-patch")
        if not check(create and patch, "job certificates", f"certgen Jobs missing: {sorted(jobs)}"):
            return made
        made.add(tls_secret)
        init = create["spec"]["template"]["spec"].get("initContainers", [])
        if check(len(init) == 1, describe(create), "stella certs init container"):
            args = init[0].get("command", []) + init[0].get("args", [])
            check(args[:2] == ["/usr/local/bin/stella", "certs"], describe(create), f"runs {args[:2]}")
            text = " ".join(args)
            check(f"--service {svc}" in text and f"--namespace {render.namespace}" in text,
                  describe(create), "stella certs --service/--namespace must name the Service")
            out_dir = args[args.index("--out") + 1] if "--out" in args else None
            main = create["spec"]["template"]["spec"]["containers"][0]
            mounted = [m["mountPath"] for m in main.get("volumeMounts", [])]
            check(out_dir in mounted, describe(create), "the main container must see stella's output")
        script = " ".join(create["spec"]["template"]["spec"]["containers"][0].get("args", []))
        check(f"create secret generic {tls_secret}" in script, describe(create), "creates the TLS Secret")
        pscript = " ".join(patch["spec"]["template"]["spec"]["containers"][0].get("args", []))
        check(f"validatingwebhookconfiguration {vwc['metadata']['name']}" in pscript if vwc else False,
              describe(patch), "patches the ValidatingWebhookConfiguration")
        check("/webhooks/0/clientConfig/caBundle" in pscript, describe(patch), "writes caBundle")
        for job, hook in ((create, "pre-install"), (patch, "post-install")):
            ann = job["metadata"].get("annotations", {})
            check(hook in ann.get("helm.sh/hook", ""), describe(job), f"must be a {hook} hook")
            check(job["spec"]["template"]["spec"].get("restartPolicy") in ("OnFailure", "Never"),
                  describe(job), "restartPolicy")
    return made


# ---- RBAC ------------------------------------------------------------------


def check_rbac(render, service_accounts):
    roles = {("Role", r["metadata"]["name"]): r for r in render.of_kind("Role")}
    roles.update({("ClusterRole", r["metadata"]["name"]): r for r in render.of_kind("ClusterRole")})
    granted = {}  # component -> set of (group, resource, verb)
    for binding in render.of_kind("RoleBinding") + render.of_kind("ClusterRoleBinding"):
        where = describe(binding)
        ref = binding["roleRef"]
        role = roles.get((ref["kind"], ref["name"]))
        check(role is not None, where, f"roleRef {ref['kind']}/{ref['name']} is not rendered")
        check(binding["kind"] == "RoleBinding" or ref["kind"] == "ClusterRole", where, "roleRef kind")
        for subject in binding.get("subjects", []):
            check(subject.get("kind") == "ServiceAccount", where, "subjects must be ServiceAccounts")
            check(subject.get("name") in service_accounts, where, f"subject {subject.get('name')} is not rendered")
            check(subject.get("namespace") == render.namespace, where, "subject namespace")
        if role is None:
            continue
        component = render.component(role)
        for rule in role.get("rules", []):
            rwhere = describe(role)
            check("nonResourceURLs" not in rule, rwhere, "nonResourceURLs")
            for field in ("apiGroups", "resources", "verbs", "resourceNames"):
                check("*" not in rule.get(field, []), rwhere, f"wildcard in {field}")
            for group in rule.get("apiGroups", []):
                for resource in rule.get("resources", []):
                    if role["kind"] == "ClusterRole":
                        check((group, resource) not in NAMESPACE_ONLY, rwhere,
                              f"{group}/{resource} must be granted in the namespace only")
                    for verb in rule.get("verbs", []):
                        granted.setdefault(component, set()).add((group, resource, verb))
    for component, allowed in ALLOWED_RULES.items():
        got = granted.get(component, set())
        if component == "certgen" and not render.of_kind("Job"):
            check(not got, "RBAC certgen", "certgen rules without the Jobs")
            continue
        check(got <= allowed, f"RBAC {component}", f"not allowed: {sorted(got - allowed)}")
        check(allowed <= got, f"RBAC {component}", f"missing: {sorted(allowed - got)}")
    unknown = set(granted) - set(ALLOWED_RULES)
    check(not unknown, "RBAC", f"rules for unexpected components {sorted(unknown)}")


# ---- the operator ------------------------------------------------------------


def check_operator(render, expect, operator_flags, stella):
    deploy = render.deployment("operator")
    if deploy is None:
        return
    where, pod, container, flags = binary_container(deploy, operator_flags, "zastava-operator",
                                                    "operator/config.cpp")
    replicas = deploy["spec"]["replicas"]
    check(replicas == expect.get("operator_replicas", 2), where, "replicas")
    check(replicas >= 1, where, "at least one replica")
    check(flags.get("leader-elect") == expect.get("leaderElect", "true"), where, "--leader-elect")
    if replicas > 1:
        check(flags.get("leader-elect") == "true", where, "several replicas need leader election")
    env = {e["name"]: e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") for e in container.get("env", [])}
    check(env.get("POD_NAME") == "metadata.name", where, "POD_NAME from the downward API")
    check(env.get("POD_NAMESPACE") == "metadata.namespace", where, "POD_NAMESPACE from the downward API")
    check(flags.get("config-map") == f"{render.fullname}-policy", where, "--config-map is the webhook's ConfigMap")
    check(flags.get("config-map-key") == "policy.json", where, "--config-map-key is the webhook's file name")
    account = flags.get("job-service-account")
    sa = render.get("ServiceAccount", account)
    if check(sa is not None, where, f"--job-service-account {account} is not rendered"):
        check(sa.get("automountServiceAccountToken") is False, describe(sa), "the Job account needs no token")
    lease = flags.get("lease-name")
    leases = [rule for role in render.of_kind("Role") if render.component(role) == "operator"
              for rule in role["rules"] if "leases" in rule["resources"] and "resourceNames" in rule]
    check(any(lease in r["resourceNames"] for r in leases), where, "--lease-name is not the Lease RBAC names")
    cm_rules = [rule for role in render.of_kind("Role") if render.component(role) == "operator"
                for rule in role["rules"] if "configmaps" in rule["resources"] and "resourceNames" in rule]
    check(any(flags.get("config-map") in r["resourceNames"] for r in cm_rules), where,
          "RBAC does not name --config-map")
    port = int(flags.get("health-address", ":0").rsplit(":", 1)[1])
    check(port == 8081, where, "health on 8081")
    for probe_name, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        probe = container.get(probe_name, {}).get("httpGet", {})
        check(probe.get("path") == path and resolve_port(container, probe.get("port")) == port, where,
              f"{probe_name} must GET {path} on the health port")
    check(flags.get("stella-image") == container["image"], where, "Jobs run the same image")

    defaults_path = flags.get("defaults-file", "")
    volume, key = mount_for(defaults_path, container, pod)
    if not check(volume is not None and "configMap" in volume, where, "--defaults-file is not a mounted ConfigMap"):
        return
    cm = render.get("ConfigMap", volume["configMap"]["name"])
    if not check(cm is not None and key in cm.get("data", {}), where, "the defaults ConfigMap lacks the file"):
        return
    defaults = yaml.safe_load(cm["data"][key])
    check(isinstance(defaults, dict), describe(cm), "defaults must be a mapping")
    check(defaults.get("mode") == "Audit", describe(cm),
          "a fresh install must not block the cluster: defaults mode Audit")
    if stella:
        document = {"apiVersion": "zastava.stellaops.io/v1alpha1", "kind": "CompiledPolicy",
                    "metadata": {"name": "chart-defaults", "version": "1"},
                    "defaults": defaults, "scopes": []}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(document, f)
            path = f.name
        try:
            done = subprocess.run([stella, "policy", "check", path], capture_output=True, text=True, check=False)
            check(done.returncode == 0, describe(cm),
                  f"stella policy check refuses the defaults: {done.stderr.strip() or done.stdout.strip()}")
        finally:
            os.unlink(path)


# ---- CRDs -------------------------------------------------------------------


def check_crds_in_render(root, render, crd_texts):
    crds = render.of_kind("CustomResourceDefinition")
    if not crds:
        return
    module = import_check_crds(root)
    source = {}
    for path in sorted(os.listdir(os.path.join(root, "crds"))):
        if path.endswith(".yaml"):
            with open(os.path.join(root, "crds", path), encoding="utf-8") as f:
                source[path] = f.read()
    check(sorted(crd_texts) == sorted(source.values()), "CRDs",
          "the CRD files are not byte for byte crds/*.yaml")
    for crd in crds:
        module.check_crd(os.path.join(root, "crds", crd["metadata"]["name"]), crd)
    for problem in module.failures:
        fail("CRD", problem)


# ---- kubectl -------------------------------------------------------------------


def check_kubectl_parses(kubectl, source, docs):
    """kubectl decodes every object offline. `kubectl apply/create --dry-run=client`
    need a server for discovery; `kubectl label --local` maps kinds from its
    built-in scheme and decodes each object's metadata with no server at all
    (KUBECONFIG=/dev/null, so it can never reach one)."""
    env = dict(os.environ, KUBECONFIG=os.devnull)
    done = subprocess.run([kubectl, "label", "--local", "-f", source, "-o", "name",
                           "zastava.stellaops.io/parsed=true"],
                          capture_output=True, text=True, env=env, check=False)
    if not check(done.returncode == 0, "kubectl", f"cannot parse {source}: {done.stderr.strip()}"):
        return
    names = [line.rsplit("/", 1)[-1] for line in done.stdout.split()]
    expected = [d.get("metadata", {}).get("name") for d in docs]
    check(sorted(names) == sorted(expected), "kubectl",
          f"kubectl saw {len(names)} objects, the YAML holds {len(expected)}")


# ---- main ---------------------------------------------------------------------


def run_checks(root, render, expect, stella, crd_texts=()):
    webhook_flags = flags_in_source(os.path.join(root, "webhook", "config.cpp"), r'Setting\{"([a-z-]+)"')
    operator_flags = flags_in_source(os.path.join(root, "operator", "config.cpp"), r'Flag\{"([a-z-]+)"')
    check(len(webhook_flags) > 10 and len(operator_flags) > 10, "sources", "cannot read the flag tables")
    check_metadata(render)
    service_accounts = {sa["metadata"]["name"] for sa in render.of_kind("ServiceAccount")}
    for name in ("webhook", "operator", "invalidator"):
        check(f"{render.fullname}-{name}" in service_accounts, "ServiceAccounts", f"no {render.fullname}-{name}")
    namespaces = render.of_kind("Namespace")
    check(bool(namespaces) == bool(expect.get("namespace_object")), "Namespace",
          "a Namespace object only when namespace.create")
    for ns in namespaces:
        check(ns["metadata"]["name"] == render.namespace, describe(ns), "not the release namespace")
        check(ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
              describe(ns), "the namespace must enforce the restricted Pod Security Standard")
    check_pods(render, service_accounts)
    vwc = check_webhook_configuration(render, expect, render.get("Service", f"{render.fullname}-webhook"))
    made = check_certificates(render, expect, vwc)
    check_webhook(render, expect, webhook_flags, made)
    check_rbac(render, service_accounts)
    check_operator(render, expect, operator_flags, stella)
    check_crds_in_render(root, render, crd_texts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--helm")
    parser.add_argument("--case", choices=sorted(CASES) + ["invalid-values"])
    parser.add_argument("--manifests", help="check this directory of plain YAML instead")
    parser.add_argument("--stella", help="stella binary, to validate the policy defaults")
    parser.add_argument("--kubectl", help="kubectl binary, to parse the objects offline")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    if args.manifests:
        docs, names = load_manifests(args.manifests)
        crd_texts = []
        for name in names:
            with open(os.path.join(args.manifests, name), encoding="utf-8") as f:
                text = f.read()
            if "kind: CustomResourceDefinition" in text:
                crd_texts.append(text)
        check(len(crd_texts) == 2, args.manifests, "the two CRDs must be in files of their own")
        render = Render(docs, NAMESPACE, RELEASE)
        run_checks(root, render, {"certificates": "job", "namespace_object": True}, args.stella, crd_texts)
        if args.kubectl:
            check_kubectl_parses(args.kubectl, args.manifests, docs)
        what = f"{args.manifests}: {len(docs)} objects in {len(names)} files"
    elif args.case == "invalid-values":
        for values, message in INVALID:
            rc, out, err = helm_template(args.helm, root, RELEASE, NAMESPACE, values)
            if check(rc != 0, f"--set {' '.join(values)}", "was accepted"):
                check(message in err, f"--set {' '.join(values)}", f"message lacks {message!r}: {err.strip()}")
        what = f"{len(INVALID)} invalid value sets refused"
    elif args.case:
        case = CASES[args.case]
        release = case.get("release", RELEASE)
        namespace = case.get("namespace", NAMESPACE)
        rc, out, err = helm_template(args.helm, root, release, namespace, case["set"])
        if rc != 0:
            print(f"FAIL helm template {' '.join(shlex.quote(v) for v in case['set'])}: {err}")
            return 1
        docs = load_documents(out, "helm template")
        render = Render(docs, namespace, release)
        run_checks(root, render, case["expect"], args.stella)
        if args.kubectl:
            with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
                f.write(out)
            try:
                check_kubectl_parses(args.kubectl, f.name, docs)
            finally:
                os.unlink(f.name)
        what = f"case {args.case}: {len(docs)} objects"
    else:
        parser.error("--case or --manifests")
    for problem in failures:
        print("FAIL", problem)
    print(f"{what}: {'ok' if not failures else str(len(failures)) + ' problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
