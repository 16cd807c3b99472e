#!/usr/bin/env python3
"""End-to-end tests of the real zastava-operator binary (stdlib only).

Starts the fake Kubernetes API (e2e/fake_kube_api) over TLS with a CA made by
`stella certs --local`, and one or two zastava-operator processes with a
kubeconfig pointing at it and short leader-election timings. The test then
acts as the cluster's users and its other controllers: it creates, updates
and deletes FacetPolicy / ProvcachePolicy objects, plays the Job controller
(patches Job status, creates the Job's Pod with a termination message), and
checks what the operator wrote: the compiled policy ConfigMap (also through
`stella policy check`, the webhook's own loader), status conditions, Jobs,
Events and the Lease. It also kills, freezes and restarts the operator and
the API server.

    operator_e2e.py --stella build/cli/stella --operator build/operator/zastava-operator
"""

import argparse
import base64
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
NAMESPACE = "zastava-system"
GROUP = "/apis/zastava.stellaops.io/v1alpha1"
SIGNER_A = "sha256:" + "a1" * 32
SIGNER_B = "sha256:" + "b2" * 32
# Leader election short enough for tests, long enough for a loaded machine.
ELECTION = ["--lease-duration", "6s", "--renew-deadline", "4s", "--retry-period", "1s"]
ARGS = None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (OSError, http.client.HTTPException, ValueError) as error:
            value, last = None, error
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s%s" % (what, " (%s)" % last if last else ""))


def read_text(path):
    with open(path) as handle:
        return handle.read()


def facet_policy(name, namespace, images, **spec):
    body = {"images": images, "mode": "Enforce"}
    body.update(spec)
    return {"apiVersion": "zastava.stellaops.io/v1alpha1", "kind": "FacetPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": body}


def provcache_policy(name, signers, secret="provcache-postgres"):
    return {"apiVersion": "zastava.stellaops.io/v1alpha1", "kind": "ProvcachePolicy",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"enabled": True, "ttl": "24h", "maxTtl": "168h",
                     "store": {"type": "Postgres",
                               "postgres": {"connectionSecretRef": {"name": secret,
                                                                    "key": "url"}}},
                     "revokedSigners": [{"signerSetHash": s, "reason": "key leaked"}
                                        for s in signers]}}


def condition(obj, kind):
    for item in (obj or {}).get("status", {}).get("conditions", []) or []:
        if item.get("type") == kind:
            return item
    return None


class KubeApi:
    """The fake API server process and a small JSON client for it."""

    def __init__(self, work, certs):
        self.work = work
        self.certs = certs
        self.context = ssl.create_default_context(cafile=os.path.join(certs, "ca.crt"))
        self.port = 0
        self.process = None
        self.log = open(os.path.join(work, "kube.log"), "a")

    def start(self, port=0):
        port_file = os.path.join(self.work, "kube-port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fake_kube_api", "fake_kube_api.py"),
             "--port", str(port), "--port-file", port_file, "--token", "kube-token",
             "--cert", os.path.join(self.certs, "tls.crt"),
             "--key", os.path.join(self.certs, "tls.key")],
            stdout=subprocess.DEVNULL, stderr=self.log)
        wait_for(lambda: os.path.exists(port_file) or self.process.poll() is not None,
                 what="the fake Kubernetes API")
        if self.process.poll() is not None:
            return False
        self.port = int(read_text(port_file))
        return True

    def restart(self):
        """Kills the server and starts an empty one on the same port."""
        self.stop()
        wait_for(lambda: self.start(self.port), timeout=30, what="the API server to restart")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def call(self, method, path, body=None, content_type="application/json"):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                 timeout=20)
        try:
            headers = {"Authorization": "Bearer kube-token", "Accept": "application/json"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = content_type
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
        finally:
            connection.close()

    def get(self, path):
        code, body = self.call("GET", path)
        return body if code == 200 else None

    def create(self, path, obj):
        code, body = self.call("POST", path, obj)
        assert code == 201 or code == 200, (code, body)
        return body

    def merge_patch(self, path, patch):
        code, body = self.call("PATCH", path, patch, "application/merge-patch+json")
        assert code == 200, (code, body)
        return body

    def delete(self, path):
        code, body = self.call("DELETE", path)
        assert code == 200, (code, body)

    def items(self, path):
        body = self.get(path)
        return body["items"] if body else []

    # --- the objects the tests look at ---
    def config_map(self):
        return self.get("/api/v1/namespaces/%s/configmaps/zastava-policy" % NAMESPACE)

    def compiled_policy(self):
        config_map = self.config_map()
        if not config_map:
            return None
        return json.loads(config_map["data"]["policy.json"])

    def scope_names(self):
        policy = self.compiled_policy()
        return [scope["name"] for scope in policy["scopes"]] if policy else None

    def lease(self):
        return self.get("/apis/coordination.k8s.io/v1/namespaces/%s/leases/zastava-operator"
                        % NAMESPACE)

    def holder(self):
        lease = self.lease()
        return (lease or {}).get("spec", {}).get("holderIdentity", "")

    def facet_policy(self, namespace, name):
        return self.get("%s/namespaces/%s/facetpolicies/%s" % (GROUP, namespace, name))

    def create_facet_policy(self, obj):
        return self.create("%s/namespaces/%s/facetpolicies" % (GROUP, obj["metadata"]["namespace"]),
                           obj)

    def jobs(self):
        return self.items("/apis/batch/v1/namespaces/%s/jobs" % NAMESPACE)

    def events(self):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                 timeout=20)
        try:
            connection.request("GET", "/_test/events")
            return json.loads(connection.getresponse().read())["items"]
        finally:
            connection.close()

    def test_call(self, path):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                 timeout=20)
        try:
            connection.request("POST", path)
            return connection.getresponse().status
        finally:
            connection.close()


class Operator:
    """One zastava-operator process."""

    def __init__(self, cluster, identity, extra=()):
        self.identity = identity
        self.port = free_port()
        self.log_path = os.path.join(cluster.work, "operator-%s.log" % identity)
        self.log = open(self.log_path, "a")
        command = [ARGS.operator, "--kubeconfig", cluster.kubeconfig, "--namespace", NAMESPACE,
                   "--identity", identity, "--health-address", "127.0.0.1:%d" % self.port,
                   "--stella-image", "zastava:e2e", "--workers", "2"] + ELECTION + list(extra)
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.log)
        wait_for(lambda: self.process.poll() is not None or self.http("/healthz")[0] == 200,
                 what="operator %s to serve /healthz" % identity)
        if self.process.poll() is not None:
            raise AssertionError("operator %s exited: %s" % (identity, read_text(self.log_path)))

    def http(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def readiness(self):
        code, body = self.http("/readyz")
        return code, json.loads(body)

    def metric(self, name, labels=""):
        _, text = self.http("/metrics")
        for line in text.splitlines():
            if line.startswith(name + labels + " ") or (
                    not labels and line.startswith(name + " ")):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def reconciles(self):
        return (self.metric("zastava_operator_reconciles_total",
                            '{controller="policy",result="success"}') +
                self.metric("zastava_operator_reconciles_total",
                            '{controller="invalidation",result="success"}'))

    def signal(self, number):
        self.process.send_signal(number)

    def wait(self, timeout=60):
        return self.process.wait(timeout=timeout)

    def close(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()
        self.log.close()


class Cluster:
    def __init__(self, work):
        self.work = work
        self.certs = os.path.join(work, "tls")
        subprocess.run([ARGS.stella, "certs", "--service", "kubernetes", "--namespace", "default",
                        "--out", self.certs, "--local", "--days", "2"],
                       check=True, stdout=subprocess.DEVNULL)
        self.api = KubeApi(work, self.certs)
        assert self.api.start()
        self.kubeconfig = os.path.join(work, "kubeconfig")
        with open(self.kubeconfig, "w") as handle:
            json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "e2e",
                       "clusters": [{"name": "fake", "cluster": {
                           "server": "https://127.0.0.1:%d" % self.api.port,
                           "certificate-authority": os.path.join(self.certs, "ca.crt")}}],
                       "users": [{"name": "e2e", "user": {"token": "kube-token"}}],
                       "contexts": [{"name": "e2e", "context": {"cluster": "fake",
                                                                "user": "e2e"}}]}, handle)
        self.operators = []

    def operator(self, identity, extra=()):
        started = Operator(self, identity, extra)
        self.operators.append(started)
        return started

    def leader(self, operators):
        """The one operator whose /readyz says it leads (waits for one)."""
        def find():
            leaders = [op for op in operators
                       if op.process.poll() is None and op.readiness()[1].get("leader")]
            return leaders[0] if len(leaders) == 1 and self.api.holder() == leaders[0].identity \
                else None
        return wait_for(find, what="one leader")

    def close(self):
        for op in self.operators:
            op.close()
        self.api.stop()
        self.api.log.close()


class OperatorE2E(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="zastava-operator-e2e-")
        self.cluster = Cluster(self.tmp.name)
        self.api = self.cluster.api

    def tearDown(self):
        self.cluster.close()
        if self._outcome_failed():
            for op in self.cluster.operators:
                sys.stderr.write("---- %s\n%s\n" % (op.log_path, read_text(op.log_path)[-6000:]))
        self.tmp.cleanup()

    def _outcome_failed(self):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return True
        return any(test is self for test, _ in list(result.failures) + list(result.errors))

    def wait_scopes(self, expected, what="the ConfigMap's scopes"):
        return wait_for(lambda: self.api.scope_names() == expected,
                        what="%s to be %s (now %s)" % (what, expected, self.api.scope_names()))

    def wait_ready(self, namespace, name, status="True"):
        def ready():
            obj = self.api.facet_policy(namespace, name)
            found = condition(obj, "Ready")
            return obj if found and found["status"] == status and \
                found.get("observedGeneration") == obj["metadata"]["generation"] else None
        return wait_for(ready, what="%s/%s Ready=%s" % (namespace, name, status))

    def check_with_stella(self):
        path = os.path.join(self.tmp.name, "policy.json")
        with open(path, "w") as handle:
            handle.write(self.api.config_map()["data"]["policy.json"])
        result = subprocess.run([ARGS.stella, "policy", "check", path, "--format", "json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr.decode() + result.stdout.decode())

    # ---------------------------------------------------------------------------------------
    def test_policies_follow_create_update_delete(self):
        op = self.cluster.operator("solo")
        self.api.create_facet_policy(facet_policy("base", NAMESPACE, ["**"]))
        self.api.create_facet_policy(facet_policy("strict", "payments",
                                                  ["registry.example.com/payments/**"]))
        # Cluster policies (the operator's namespace) come first.
        self.wait_scopes([NAMESPACE + "/base", "payments/strict"])
        config_map = self.api.config_map()
        document = json.loads(config_map["data"]["policy.json"])
        self.assertEqual(document["kind"], "CompiledPolicy")
        self.assertEqual(config_map["metadata"]["annotations"]["zastava.stellaops.io/content-hash"],
                         document["metadata"]["version"])
        strict = document["scopes"][1]
        self.assertEqual(strict["namespaces"]["names"], ["payments"])
        self.assertEqual(strict["mode"], "Enforce")
        self.check_with_stella()
        self.wait_ready(NAMESPACE, "base")
        self.wait_ready("payments", "strict")

        # Update: the scope follows; the generation is observed.
        self.api.merge_patch(GROUP + "/namespaces/payments/facetpolicies/strict",
                             {"spec": {"mode": "Warn"}})
        wait_for(lambda: self.api.compiled_policy()["scopes"][1]["mode"] == "Warn",
                 what="the updated mode")
        updated = self.wait_ready("payments", "strict")
        self.assertEqual(updated["metadata"]["generation"], 2)
        self.check_with_stella()

        # Delete: the scope goes.
        self.api.delete(GROUP + "/namespaces/%s/facetpolicies/base" % NAMESPACE)
        self.wait_scopes(["payments/strict"])

        # Only changes are written: an untouched ConfigMap keeps its resourceVersion.
        version = self.api.config_map()["metadata"]["resourceVersion"]
        self.api.merge_patch(GROUP + "/namespaces/payments/facetpolicies/strict",
                             {"metadata": {"labels": {"touched": "yes"}}})
        time.sleep(2)  # a negative check: give a wrong rewrite the chance to happen
        self.assertEqual(self.api.config_map()["metadata"]["resourceVersion"], version)

        self.assertEqual(op.http("/healthz")[0], 200)
        code, ready = op.readiness()
        self.assertEqual(code, 200)
        self.assertTrue(ready["leader"])
        self.assertGreater(op.reconciles(), 0)
        self.assertEqual(op.metric("zastava_operator_is_leader"), 1)

    def test_invalid_policy_beside_valid_ones(self):
        self.cluster.operator("solo")
        self.api.create_facet_policy(facet_policy("good", "team-a", ["registry.example.com/a/**"]))
        bad = facet_policy("bad", "team-b", ["registry.example.com/b/**"],
                           quotas={"binary": {"maxChurnPercent": 150, "onExceed": "Block"}})
        self.api.create_facet_policy(bad)
        self.api.create_facet_policy(facet_policy("also-good", "team-c",
                                                  ["registry.example.com/c/**"]))
        self.wait_scopes(["team-a/good", "team-c/also-good"])
        rejected = self.wait_ready("team-b", "bad", status="False")
        ready = condition(rejected, "Ready")
        self.assertEqual(ready["reason"], "InvalidSpec")
        self.assertIn("maxChurnPercent", ready["message"])
        self.wait_ready("team-a", "good")
        self.wait_ready("team-c", "also-good")
        wait_for(lambda: any(e.get("reason") == "PolicyInvalid" and
                             e.get("regarding", {}).get("name") == "bad"
                             for e in self.api.events()), what="the PolicyInvalid Event")
        self.check_with_stella()

        # Fixing it brings it in.
        self.api.merge_patch(GROUP + "/namespaces/team-b/facetpolicies/bad",
                             {"spec": {"quotas": {"binary": {"maxChurnPercent": 10}}}})
        self.wait_scopes(["team-a/good", "team-b/bad", "team-c/also-good"])
        self.wait_ready("team-b", "bad")

    def signer_jobs(self, signer):
        return [job for job in self.api.jobs()
                if signer in json.dumps(job["spec"]["template"]["spec"]["containers"])]

    def invalidation(self, policy, job_name):
        obj = self.api.get("%s/namespaces/%s/provcachepolicies/%s" % (GROUP, NAMESPACE, policy))
        for record in (obj or {}).get("status", {}).get("invalidations", []) or []:
            if record.get("jobName") == job_name:
                return record
        return None

    def play_job(self, job, succeeded, entries=None):
        """What the Job controller and the kubelet would do for this Job."""
        name = job["metadata"]["name"]
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        status = {"startTime": now}
        if succeeded:
            status.update({"succeeded": 1, "completionTime": now, "conditions": [
                {"type": "Complete", "status": "True", "lastTransitionTime": now}]})
        else:
            status.update({"failed": 4, "conditions": [
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                 "message": "Job has reached the specified backoff limit",
                 "lastTransitionTime": now}]})
        # The Job controller gives its Pods the template's labels and job-name.
        labels = dict(job["spec"]["template"].get("metadata", {}).get("labels", {}))
        labels.update({"app.kubernetes.io/managed-by": "zastava-operator",
                       "batch.kubernetes.io/job-name": name, "job-name": name})
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name + "-x1", "namespace": NAMESPACE, "labels": labels},
               "spec": {"restartPolicy": "Never",
                        "containers": [{"name": "invalidate", "image": "zastava:e2e"}]}}
        self.api.create("/api/v1/namespaces/%s/pods" % NAMESPACE, pod)
        terminated = {"exitCode": 0 if succeeded else 1, "reason": "Completed",
                      "message": json.dumps({"entriesAffected": entries})
                      if entries is not None else "connection refused"}
        self.api.merge_patch("/api/v1/namespaces/%s/pods/%s/status" % (NAMESPACE, name + "-x1"),
                             {"status": {"phase": "Succeeded" if succeeded else "Failed",
                                         "containerStatuses": [{"name": "invalidate",
                                                                "state": {"terminated":
                                                                          terminated}}]}})
        self.api.merge_patch("/apis/batch/v1/namespaces/%s/jobs/%s/status" % (NAMESPACE, name),
                             {"status": status})

    def test_revoked_signer_one_job_across_restart_and_job_outcomes(self):
        self.api.create("/api/v1/namespaces/%s/secrets" % NAMESPACE, {
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "provcache-postgres", "namespace": NAMESPACE},
            "data": {"url": base64.b64encode(b"postgresql://zastava@db:5432/zastava").decode()}})
        first = self.cluster.operator("first")
        self.api.create("%s/namespaces/%s/provcachepolicies" % (GROUP, NAMESPACE),
                        provcache_policy("cluster", [SIGNER_A]))
        job = wait_for(lambda: (self.signer_jobs(SIGNER_A) or [None])[0],
                       what="the invalidation Job")
        self.assertEqual(job["metadata"]["ownerReferences"][0]["kind"], "ProvcachePolicy")
        self.assertEqual(job["metadata"]["ownerReferences"][0]["name"], "cluster")
        record = wait_for(lambda: self.invalidation("cluster", job["metadata"]["name"]),
                          what="the invalidation recorded in status")
        self.assertIn(record["state"], ("Pending", "Running"))
        # The compiled policy carries the revoked signer for the webhook.
        wait_for(lambda: SIGNER_A in json.dumps(
            self.api.compiled_policy()["defaults"].get("provcache", {})),
            what="the revoked signer in the compiled policy")
        jobs_before = len(self.api.jobs())

        # A restart (a crash: no lease release) plans the same Job and finds it.
        first.signal(signal.SIGKILL)
        first.wait()
        second = self.cluster.operator("second")
        wait_for(lambda: self.api.holder() == "second", what="the restarted operator to lead")
        # It reconciled the policy (and so planned the same Job again).
        wait_for(lambda: second.metric("zastava_operator_reconciles_total",
                                       '{controller="invalidation",result="success"}') >= 1,
                 what="the restarted operator to reconcile the ProvcachePolicy")
        self.assertEqual(len(self.signer_jobs(SIGNER_A)), 1)
        self.assertEqual(len(self.api.jobs()), jobs_before)

        # Success: the count of entries comes from the Pod's termination message.
        self.play_job(job, succeeded=True, entries=7)
        done = wait_for(lambda: (lambda r: r if r and r["state"] == "Succeeded" else None)(
            self.invalidation("cluster", job["metadata"]["name"])), what="Succeeded in status")
        self.assertEqual(done["entriesAffected"], 7)
        self.assertEqual(done["reason"], "SignerRevoked")
        self.assertTrue(done.get("completionTime"))
        wait_for(lambda: any(e.get("reason") == "InvalidationSucceeded" for e in
                             self.api.events()), what="the InvalidationSucceeded Event")

        # A second revoked signer: one more Job, which fails.
        self.api.merge_patch("%s/namespaces/%s/provcachepolicies/cluster" % (GROUP, NAMESPACE),
                             {"spec": provcache_policy("cluster", [SIGNER_A, SIGNER_B])["spec"]})
        failing = wait_for(lambda: (self.signer_jobs(SIGNER_B) or [None])[0],
                           what="the second Job")
        self.play_job(failing, succeeded=False)
        failed = wait_for(lambda: (lambda r: r if r and r["state"] == "Failed" else None)(
            self.invalidation("cluster", failing["metadata"]["name"])), what="Failed in status")
        self.assertIn("BackoffLimitExceeded", failed.get("message", ""))
        self.assertEqual(len(self.signer_jobs(SIGNER_A)), 1)
        self.assertEqual(len(self.signer_jobs(SIGNER_B)), 1)

    def test_two_replicas_one_leader_and_failover(self):
        one = self.cluster.operator("one")
        two = self.cluster.operator("two")
        leader = self.cluster.leader([one, two])
        follower = two if leader is one else one
        self.api.create_facet_policy(facet_policy("first", "team-a", ["registry.example.com/**"]))
        self.wait_scopes(["team-a/first"])
        code, standby = follower.readiness()
        self.assertEqual(code, 200)
        self.assertEqual(standby["role"], "standby")
        self.assertEqual(follower.metric("zastava_operator_is_leader"), 0)
        self.assertEqual(follower.reconciles(), 0)  # only the leader writes
        self.assertGreater(leader.reconciles(), 0)

        # The leader freezes: it stops renewing, the other takes over.
        leader.signal(signal.SIGSTOP)
        wait_for(lambda: self.api.holder() == follower.identity, timeout=90,
                 what="the follower to take the Lease")
        self.api.create_facet_policy(facet_policy("second", "team-b", ["registry.example.com/**"]))
        self.wait_scopes(["team-a/first", "team-b/second"], what="the new leader's ConfigMap")
        self.assertGreater(follower.reconciles(), 0)

        # The old leader wakes up: it has lost the Lease and exits non-zero
        # (its Deployment would restart it as a follower).
        leader.signal(signal.SIGCONT)
        self.assertEqual(leader.wait(timeout=60), 2)
        self.api.create_facet_policy(facet_policy("third", "team-c", ["registry.example.com/**"]))
        self.wait_scopes(["team-a/first", "team-b/second", "team-c/third"])
        self.assertEqual(self.api.holder(), follower.identity)

    def test_dropped_watches_and_api_restart_converge(self):
        # A lease that outlives the API server's restart (Python's start-up on
        # a loaded machine can take seconds).
        op = self.cluster.operator("solo", ["--lease-duration", "60s", "--renew-deadline", "45s"])
        self.api.create_facet_policy(facet_policy("one", "team-a", ["registry.example.com/**"]))
        self.wait_scopes(["team-a/one"])
        lists = op.metric("zastava_operator_informer_lists", '{resource="facetpolicies"}')

        # Compaction: live watches end with a 410 in the stream; the operator relists.
        self.assertEqual(self.api.test_call("/_test/compact"), 200)
        self.api.create_facet_policy(facet_policy("two", "team-b", ["registry.example.com/**"]))
        self.wait_scopes(["team-a/one", "team-b/two"])
        wait_for(lambda: op.metric("zastava_operator_informer_lists",
                                   '{resource="facetpolicies"}') > lists,
                 what="a relist after the compaction")

        # The API server restarts empty (as after a restore): everything is
        # relisted; what is created again converges again.
        self.api.restart()
        self.api.create_facet_policy(facet_policy("three", "team-c", ["registry.example.com/**"]))
        self.wait_scopes(["team-c/three"], what="the ConfigMap after the API restart")
        self.wait_ready("team-c", "three")
        self.assertIsNone(op.process.poll())

    def test_sigterm_exits_zero_and_releases_the_lease(self):
        op = self.cluster.operator("solo")
        wait_for(lambda: self.api.holder() == "solo", what="the Lease")
        self.api.create_facet_policy(facet_policy("one", "team-a", ["registry.example.com/**"]))
        self.wait_scopes(["team-a/one"])
        op.signal(signal.SIGTERM)
        self.assertEqual(op.wait(timeout=60), 0)
        lease = self.api.lease()
        self.assertEqual(lease["spec"].get("holderIdentity", ""), "")
        self.assertEqual(lease["spec"].get("leaseDurationSeconds"), 1)
        # A successor takes over at once, not after the old lease's 6 s.
        started = time.monotonic()
        self.cluster.operator("successor")
        wait_for(lambda: self.api.holder() == "successor", what="the successor to lead")
        self.assertLess(time.monotonic() - started, 5)

    def test_without_leader_election_it_just_runs(self):
        self.cluster.operator("solo", ["--leader-elect=false"])
        self.api.create_facet_policy(facet_policy("one", NAMESPACE, ["**"]))
        self.wait_scopes([NAMESPACE + "/one"])
        self.assertIsNone(self.api.lease())


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--stella", required=True)
    parser.add_argument("--operator", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.stella = os.path.abspath(ARGS.stella)
    ARGS.operator = os.path.abspath(ARGS.operator)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
