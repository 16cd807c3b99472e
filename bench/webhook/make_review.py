#!/usr/bin/env python3
"""Prints a realistic ~6 KB Pod AdmissionReview (v1) for IMAGE: a Deployment's
Pod with labels, annotations, managedFields, env, probes, volumes and a
sidecar, as kube-apiserver sends it."""
import json
import sys

image = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 6144
env = [{"name": "VAR_%02d" % i, "value": "value-%02d-of-the-application-settings" % i}
       for i in range(12)]
container = {"name": "app", "image": image, "imagePullPolicy": "IfNotPresent",
             "ports": [{"containerPort": 8080, "protocol": "TCP", "name": "http"}],
             "env": env,
             "resources": {"limits": {"cpu": "500m", "memory": "256Mi"},
                           "requests": {"cpu": "100m", "memory": "128Mi"}},
             "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080},
                                "periodSeconds": 5},
             "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}]}
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"generateName": "shop-web-5d8f9c7b6-", "namespace": "shop",
                    "labels": {"app": "web", "pod-template-hash": "5d8f9c7b6", "tier": "frontend"},
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-22T10:00:00Z"},
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                         "name": "shop-web-5d8f9c7b6", "controller": True,
                                         "uid": "b1f1c1d2-0000-4000-8000-000000000001"}],
                    "managedFields": [{"manager": "kube-controller-manager", "operation": "Update",
                                       "apiVersion": "v1", "time": "2026-11-22T10:00:00Z",
                                       "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]},
       "spec": {"containers": [container],
                "volumes": [{"name": "config", "configMap": {"name": "web-config"}}],
                "serviceAccountName": "web", "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30}}
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
          "request": {"uid": "0df28fbd-5f5f-11e8-bc74-36e6bb280816",
                      "kind": {"group": "", "version": "v1", "kind": "Pod"},
                      "resource": {"group": "", "version": "v1", "resource": "pods"},
                      "namespace": "shop", "operation": "CREATE",
                      "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                                   "uid": "u-2", "groups": ["system:serviceaccounts",
                                                            "system:authenticated"]},
                      "object": pod, "oldObject": None, "dryRun": False,
                      "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}}
text = json.dumps(review)
pad = target - len(text)
if pad > 40:
    pod["metadata"]["annotations"]["example.com/notes"] = "x" * (pad - 40)
sys.stdout.write(json.dumps(review))
