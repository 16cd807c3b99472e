#!/usr/bin/env python3
"""End-to-end tests of the real zastava-webhook binary (stdlib only).

Makes certificates with `stella certs --local`, starts the fake Kubernetes API
(e2e/fake_kube_api) over TLS and the webhook with a kubeconfig pointing at
it, then sends real AdmissionReview documents over TLS with curl, verifying
the CA, and asserts the answers, audit annotations and the Events the fake
API received. Every curl has --max-time: a hung webhook fails the test.

    webhook_e2e.py --stella build/cli/stella --webhook build/webhook/zastava-webhook
"""

import argparse
import copy
import json
import os
import signal
import socket
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIGEST = "sha256:" + "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
ARGS = None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def read_text(path):
    with open(path) as handle:
        return handle.read()


def sample_review():
    with open(os.path.join(HERE, "samples", "pod-review.json")) as handle:
        return json.load(handle)


def pod_review(images, uid="uid-1", dry_run=False, namespace="shop", api_version=None):
    review = sample_review()
    request = review["request"]
    request["uid"] = uid
    request["dryRun"] = dry_run
    request["namespace"] = namespace
    request["object"]["metadata"]["namespace"] = namespace
    request["object"]["spec"]["containers"] = [
        {"name": "c%d" % i, "image": image} for i, image in enumerate(images)]
    if api_version:
        review["apiVersion"] = api_version
    return review


def workload_review(kind, group, pod_spec, uid):
    review = sample_review()
    request = review["request"]
    request["uid"] = uid
    request["kind"] = {"group": group, "version": "v1", "kind": kind}
    request["resource"] = {"group": group, "version": "v1", "resource": kind.lower() + "s"}
    template = {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec}
    if kind == "CronJob":
        spec = {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}
    else:
        spec = {"replicas": 2, "template": template}
    request["object"] = {"apiVersion": (group + "/v1") if group else "v1", "kind": kind,
                         "metadata": {"name": "app", "namespace": "shop"}, "spec": spec}
    return review


class Cluster:
    """The processes of one run: the fake Kubernetes API and the webhook."""

    def __init__(self, work):
        self.work = work
        self.certs = os.path.join(work, "tls")
        subprocess.run([ARGS.stella, "certs", "--service", "zastava-webhook", "--namespace",
                        "zastava", "--out", self.certs, "--local", "--days", "2"],
                       check=True, stdout=subprocess.DEVNULL)
        self.token = os.path.join(work, "api-token")
        with open(self.token, "w") as handle:
            handle.write("e2e-api-token\n")
        self.processes = []
        self.files = []
        self.kube_port = self.start_fake_kube()
        self.kubeconfig = os.path.join(work, "kubeconfig")
        with open(self.kubeconfig, "w") as handle:
            json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "e2e",
                       "clusters": [{"name": "fake", "cluster": {
                           "server": "https://127.0.0.1:%d" % self.kube_port,
                           "certificate-authority": os.path.join(self.certs, "ca.crt")}}],
                       "users": [{"name": "e2e", "user": {"token": "kube-token"}}],
                       "contexts": [{"name": "e2e", "context": {"cluster": "fake",
                                                                "user": "e2e"}}]}, handle)
        self.webhook = None

    def start_fake_kube(self):
        port_file = os.path.join(self.work, "kube-port")
        process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fake_kube_api", "fake_kube_api.py"),
             "--port", "0", "--port-file", port_file, "--token", "kube-token",
             "--cert", os.path.join(self.certs, "tls.crt"),
             "--key", os.path.join(self.certs, "tls.key")],
            stdout=subprocess.DEVNULL, stderr=self.log_file("kube.log"))
        self.processes.append(process)
        wait_for(lambda: os.path.exists(port_file), what="the fake Kubernetes API")
        with open(port_file) as handle:
            return int(handle.read())

    def start_webhook(self, policy_file, extra=()):
        self.ports = {"webhook": free_port(), "api": free_port(), "metrics": free_port()}
        self.log_path = os.path.join(self.work, "webhook-%d.log" % len(self.processes))
        self.audit_path = os.path.join(self.work, "audit.jsonl")
        command = [ARGS.webhook, "--policy-file", policy_file,
                   "--tls-cert", os.path.join(self.certs, "tls.crt"),
                   "--tls-key", os.path.join(self.certs, "tls.key"),
                   "--listen", "127.0.0.1:%d" % self.ports["webhook"],
                   "--api-listen", "127.0.0.1:%d" % self.ports["api"],
                   "--metrics-listen", "127.0.0.1:%d" % self.ports["metrics"],
                   "--api-token-file", self.token, "--kubeconfig", self.kubeconfig,
                   "--audit-log", self.audit_path, "--instance", "e2e-0"] + list(extra)
        if not any(arg in ("--postgres", "--valkey") for arg in extra):
            command += ["--store-dir", os.path.join(self.work, "data")]
        self.webhook = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=self.work,
                                        stderr=self.log_file(self.log_path))
        self.processes.append(self.webhook)
        wait_for(lambda: self.get("/healthz")[0] == 200 or self.webhook.poll() is not None,
                 what="the webhook to listen")
        if self.webhook.poll() is not None:
            raise AssertionError("the webhook exited: " + self.log())

    def log_file(self, name):
        handle = open(os.path.join(self.work, name), "w")
        self.files.append(handle)
        return handle

    def log(self):
        return read_text(self.log_path)

    def curl(self, port, path, data=None, content_type="application/json", headers=()):
        command = ["curl", "-sS", "--max-time", "10", "--cacert",
                   os.path.join(self.certs, "ca.crt"), "-o", "-", "-w", "\n%{http_code}"]
        for header in headers:
            command += ["-H", header]
        if data is not None:
            command += ["-H", "Content-Type: " + content_type, "--data-binary", "@-"]
        command.append("https://localhost:%d%s" % (port, path))
        result = subprocess.run(command, input=data, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=30)
        if result.returncode != 0:
            return 0, result.stderr.decode()
        body, _, code = result.stdout.decode().rpartition("\n")
        return int(code), body

    def get(self, path):
        return self.curl(self.ports["webhook"], path)

    def validate(self, review, content_type="application/json"):
        data = review if isinstance(review, bytes) else json.dumps(review).encode()
        return self.curl(self.ports["webhook"], "/validate", data, content_type)

    def events(self):
        command = ["curl", "-sS", "--max-time", "10", "--cacert",
                   os.path.join(self.certs, "ca.crt"),
                   "https://localhost:%d/_test/events" % self.kube_port]
        return json.loads(subprocess.run(command, check=True, stdout=subprocess.PIPE,
                                         timeout=30).stdout)["items"]

    def stop_webhook(self):
        self.webhook.send_signal(signal.SIGTERM)
        return self.webhook.wait(timeout=30)

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for handle in self.files:
            handle.close()


class WebhookE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="zastava-e2e-")
        cls.cluster = Cluster(cls.tmp.name)
        cls.cluster.start_webhook(os.path.join(ROOT, "webhook", "default-policy.yaml"))

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        cls.tmp.cleanup()

    def answer(self, review):
        code, body = self.cluster.validate(review)
        self.assertEqual(code, 200, body)
        answer = json.loads(body)
        self.assertEqual(answer["kind"], "AdmissionReview")
        self.assertEqual(answer["response"]["uid"], review["request"]["uid"])
        return answer

    def test_health_and_readiness(self):
        self.assertEqual(self.cluster.get("/healthz")[0], 200)
        code, body = self.cluster.get("/readyz")
        self.assertEqual(code, 200, body)
        self.assertEqual(json.loads(body)["policy"], "zastava-default")

    def test_tag_only_image_is_denied_digest_required(self):
        answer = self.answer(pod_review(["nginx:1.25"], uid="tag-only"))
        response = answer["response"]
        self.assertFalse(response["allowed"])
        self.assertEqual(response["status"]["code"], 403)
        self.assertIn("DigestRequired", response["status"]["message"])
        self.assertIn('container "c0" image nginx:1.25', response["status"]["message"])
        self.assertEqual(response["auditAnnotations"]["decision"], "deny")
        self.assertEqual(response["auditAnnotations"]["image-0"], "docker.io/library/nginx:1.25")

    def test_unsealed_image_is_denied_seal_missing_and_an_event_is_sent(self):
        review = pod_review(["registry.example.com/app@" + DIGEST], uid="unsealed")
        review["request"]["object"]["metadata"]["name"] = "unsealed-pod"
        response = self.answer(review)["response"]
        self.assertFalse(response["allowed"])
        self.assertIn("SealMissing", response["status"]["message"])

        def has_event():
            return any(event.get("reason") == "SealMissing" and
                       event.get("regarding", {}).get("name") == "unsealed-pod"
                       for event in self.cluster.events())
        wait_for(has_event, what="the SealMissing Event")
        event = next(e for e in self.cluster.events() if e.get("reason") == "SealMissing")
        self.assertEqual(event["type"], "Warning")
        self.assertEqual(event["regarding"]["namespace"], "shop")
        self.assertEqual(event["reportingInstance"], "e2e-0")

    def test_dry_run_has_no_side_effects(self):
        review = pod_review(["nginx:1.25"], uid="dry-run", dry_run=True)
        review["request"]["object"]["metadata"]["name"] = "dry-run-pod"
        response = self.answer(review)["response"]
        self.assertFalse(response["allowed"])
        # A non-dry-run request after it: once its Event arrived, the dry run's
        # (queued earlier) would have too.
        marker = pod_review(["nginx:1.25"], uid="after-dry-run")
        marker["request"]["object"]["metadata"]["name"] = "after-dry-run-pod"
        self.answer(marker)
        wait_for(lambda: any(e.get("regarding", {}).get("name") == "after-dry-run-pod"
                             for e in self.cluster.events()), what="the marker Event")
        self.assertFalse(any(e.get("regarding", {}).get("name") == "dry-run-pod"
                             for e in self.cluster.events()))

    def test_v1beta1_is_answered_in_v1beta1(self):
        answer = self.answer(pod_review(["nginx:1.25"], uid="beta",
                                        api_version="admission.k8s.io/v1beta1"))
        self.assertEqual(answer["apiVersion"], "admission.k8s.io/v1beta1")

    def test_deployment_and_cronjob_templates_are_checked(self):
        spec = {"containers": [{"name": "app", "image": "nginx:1.25"}]}
        for kind, group in (("Deployment", "apps"), ("CronJob", "batch")):
            response = self.answer(workload_review(kind, group, spec, "w-" + kind))["response"]
            self.assertFalse(response["allowed"], kind)
            self.assertIn("DigestRequired", response["status"]["message"], kind)

    def test_update_adding_an_ephemeral_container_checks_only_it(self):
        review = pod_review(["nginx:1.25"], uid="debug")
        request = review["request"]
        request["operation"] = "UPDATE"
        request["subResource"] = "ephemeralcontainers"
        request["oldObject"] = copy.deepcopy(request["object"])
        request["object"]["spec"]["ephemeralContainers"] = [
            {"name": "debugger", "image": "busybox:1.36"}]
        response = self.answer(review)["response"]
        self.assertFalse(response["allowed"])
        self.assertIn('container "debugger" image busybox:1.36', response["status"]["message"])
        self.assertNotIn('"c0"', response["status"]["message"])

    def test_not_handled_kind_is_allowed(self):
        review = sample_review()
        review["request"]["uid"] = "configmap"
        review["request"]["kind"] = {"group": "", "version": "v1", "kind": "ConfigMap"}
        review["request"]["resource"] = {"group": "", "version": "v1", "resource": "configmaps"}
        review["request"]["object"] = {"apiVersion": "v1", "kind": "ConfigMap",
                                       "metadata": {"name": "x"}, "data": {}}
        self.assertTrue(self.answer(review)["response"]["allowed"])

    def test_malformed_bodies_get_400_and_the_server_keeps_serving(self):
        code, body = self.cluster.validate(b"{not json")
        self.assertEqual(code, 400, body)
        code, body = self.cluster.validate(b'{"kind":"AdmissionReview"}')
        self.assertEqual(code, 400, body)
        self.assertIn("apiVersion", body)
        code, body = self.cluster.validate(sample_review(), content_type="text/plain")
        self.assertEqual(code, 400, body)
        self.assertIn("Content-Type", body)
        self.assertEqual(self.cluster.get("/healthz")[0], 200)

    def test_4mib_body_gets_413(self):
        code, _ = self.cluster.validate(b"{" + b" " * (4 << 20) + b"}")
        self.assertEqual(code, 413)
        self.assertEqual(self.cluster.get("/healthz")[0], 200)

    def test_audit_records_and_metrics(self):
        self.answer(pod_review(["nginx:1.25"], uid="audited"))
        wait_for(lambda: "audited" in read_text(self.cluster.audit_path), what="audit record")
        records = [json.loads(line) for line in read_text(self.cluster.audit_path).splitlines()
                   if line.strip()]
        record = next(r for r in records if r["uid"] == "audited")
        self.assertEqual(record["verdict"], "deny")
        self.assertEqual(record["user"]["username"], "alice@example.com")
        metrics = subprocess.run(["curl", "-sS", "--max-time", "10", "http://127.0.0.1:%d/metrics"
                                  % self.cluster.ports["metrics"]], check=True,
                                 stdout=subprocess.PIPE).stdout.decode()
        self.assertIn('admission_reviews_total{result="denied"}', metrics)

    def test_api_refuses_unauthenticated_writes(self):
        code, _ = self.cluster.curl(self.cluster.ports["api"], "/v1/seals", b"{}")
        self.assertEqual(code, 401)


def trusting_policy(public_key_pem, quotas="{}"):
    """The default policy, trusting `public_key_pem`, provcache minTrustScore 0."""
    text = read_text(os.path.join(ROOT, "webhook", "default-policy.yaml"))
    text = text.replace("  quotas: {}", "  quotas: " + quotas)
    indented = "".join("      " + line + "\n" for line in public_key_pem.strip().splitlines())
    text = text.replace("  trustedKeys: []          # add yours: see above",
                        "  trustedKeys:\n    - |\n" + indented)
    return text.replace("minTrustScore: 60", "minTrustScore: 0")


def seal_images(work, quotas="{}"):
    """Real images (umoci/skopeo) in WORK/images, sealed with `stella seal` by a new key.
    Returns (key path, {"base"|"changed": seals file}, path of a policy trusting the key)."""
    images = os.path.join(work, "images")
    subprocess.run(["bash", os.path.join(ROOT, "tests", "fixtures", "make_images.sh"), images],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    key = os.path.join(work, "signer.pem")
    subprocess.run([ARGS.stella, "keygen", "--type", "ecdsa-p256", "--out", key], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seals = {}
    for tag in ("base", "changed"):
        out = os.path.join(work, tag + ".json")
        subprocess.run([ARGS.stella, "seal", "oci:%s/oci:%s" % (images, tag), "--key", key,
                        "--image-ref", "registry.example.com/zastava/app:" + tag,
                        "--output", out], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(out) as handle:
            seals[tag] = json.load(handle)
    policy = os.path.join(work, "policy.yaml")
    with open(policy, "w") as handle:
        handle.write(trusting_policy(read_text(os.path.join(work, "signer.pub.pem")), quotas))
    return key, seals, policy


def sealed_image(seals, tag):
    return "registry.example.com/zastava/app@" + seals[tag]["imageDigest"]


def ingest_seals(cluster, seals, tag, approve):
    body = json.dumps({"image": sealed_image(seals, tag), "approve": approve,
                       "sealsFile": seals[tag]}).encode()
    return cluster.curl(cluster.ports["api"], "/v1/seals", body,
                        headers=["Authorization: Bearer e2e-api-token"])


class SealedImagesBase(unittest.TestCase):
    """Real images (umoci/skopeo), sealed with `stella seal`, ingested over the API."""

    QUOTAS = "{}"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="zastava-e2e-")
        work = cls.tmp.name
        cls.key, cls.seals, policy = seal_images(work, cls.QUOTAS)
        cls.images = os.path.join(work, "images")
        cls.cluster = Cluster(work)
        cls.cluster.start_webhook(policy)

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        cls.tmp.cleanup()

    def image(self, tag):
        return sealed_image(self.seals, tag)

    def ingest(self, tag, approve):
        return ingest_seals(self.cluster, self.seals, tag, approve)

    def decide(self, tag, uid):
        code, body = self.cluster.validate(pod_review([self.image(tag)], uid=uid))
        self.assertEqual(code, 200, body)
        return json.loads(body)["response"]


class SealedImagesE2E(SealedImagesBase):
    def test_baseline_allowed_then_over_quota_image_blocked(self):
        code, body = self.ingest("base", approve=True)
        self.assertIn(code, (200, 201), body)
        self.assertTrue(all(seal["approved"] for seal in json.loads(body)["seals"]))
        response = self.decide("base", "sealed-base")
        self.assertTrue(response["allowed"], response)
        self.assertIn("image-0-seal-ids", response["auditAnnotations"])
        self.assertEqual(response["auditAnnotations"]["image-0-decision"], "allow")

        code, body = self.ingest("changed", approve=False)
        self.assertIn(code, (200, 201), body)
        response = self.decide("changed", "sealed-changed")
        self.assertFalse(response["allowed"], response)
        message = response["status"]["message"]
        # binary: Block; lang/node: RequireVex (no VEX yet); os, config: Warn.
        self.assertIn("binary", message)
        self.assertIn("MaxChurnPercent", message)
        self.assertTrue(any("config" in warning for warning in response.get("warnings", [])),
                        response)

    def test_unauthenticated_upload_is_refused(self):
        body = json.dumps({"image": self.image("base"), "sealsFile": self.seals["base"]}).encode()
        code, _ = self.cluster.curl(self.cluster.ports["api"], "/v1/seals", body)
        self.assertEqual(code, 401)


class RequireVexE2E(SealedImagesBase):
    """lang/node RequireVex, every other facet Warn: denied until a signed VEX arrives."""

    QUOTAS = "{os: {onExceed: Warn}, binary: {onExceed: Warn}, config: {onExceed: Warn}}"

    def signed_vex(self):
        work = self.tmp.name
        vex = os.path.join(work, "drift.vex.json")
        subprocess.run([ARGS.stella, "vex", "gen", "--from-drift",
                        os.path.join(work, "base.json"), os.path.join(work, "changed.json"),
                        "--status", "not_affected", "--justification",
                        "vulnerable_code_not_in_execute_path", "--output", vex],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        digest = self.seals["changed"]["imageDigest"]
        statement = {"_type": "https://in-toto.io/Statement/v1",
                     "subject": [{"name": "registry.example.com/zastava/app",
                                  "digest": {"sha256": digest.split(":", 1)[1]}}],
                     "predicateType": "https://openvex.dev/ns/v0.2.0",
                     "predicate": json.loads(read_text(vex))}
        statement_path = os.path.join(work, "vex.statement.json")
        with open(statement_path, "w") as handle:
            json.dump(statement, handle)
        envelope = os.path.join(work, "vex.dsse.json")
        subprocess.run([ARGS.stella, "dsse", "sign", "--key", self.key, "--payload-type",
                        "application/vnd.in-toto+json", "--in", statement_path, "--out",
                        envelope], check=True, stdout=subprocess.DEVNULL)
        return read_text(envelope).encode()

    def test_require_vex_denies_until_a_signed_vex_is_ingested(self):
        code, body = self.ingest("base", approve=True)
        self.assertIn(code, (200, 201), body)
        code, body = self.ingest("changed", approve=False)
        self.assertIn(code, (200, 201), body)
        response = self.decide("changed", "vex-before")
        self.assertFalse(response["allowed"], response)
        self.assertIn("lang/node", response["status"]["message"])
        self.assertIn("RequireVex", response["status"]["message"])
        # Warn quotas: allowed parts come back as warnings.
        self.assertTrue(any("binary" in w for w in response.get("warnings", [])), response)

        code, body = self.cluster.curl(self.cluster.ports["api"], "/v1/attestations",
                                       self.signed_vex(),
                                       headers=["Authorization: Bearer e2e-api-token"])
        self.assertIn(code, (200, 201), body)
        self.assertEqual(json.loads(body)["kind"], "vex")
        response = self.decide("changed", "vex-after")
        self.assertTrue(response["allowed"], response)
        self.assertTrue(response.get("warnings"), response)


class QuotaWarnE2E(SealedImagesBase):
    """Every facet's quota says Warn: an over-quota image is admitted, with warnings."""

    QUOTAS = ("{os: {onExceed: Warn}, binary: {onExceed: Warn}, config: {onExceed: Warn}, "
              "lang/node: {onExceed: Warn}}")

    def test_over_quota_image_with_warn_quotas_is_allowed_with_warnings(self):
        code, body = self.ingest("base", approve=True)
        self.assertIn(code, (200, 201), body)
        code, body = self.ingest("changed", approve=False)
        self.assertIn(code, (200, 201), body)
        response = self.decide("changed", "warn-only")
        self.assertTrue(response["allowed"], response)
        self.assertNotIn("status", response)
        warnings = response.get("warnings", [])
        # `changed` exceeds the binary and lang/node quotas (blocked / RequireVex
        # in SealedImagesE2E and RequireVexE2E): here each is a warning instead.
        for facet in ("binary", "lang/node"):
            self.assertTrue(any(facet in warning for warning in warnings), (facet, warnings))
        self.assertEqual(response["auditAnnotations"]["decision"], "allow")


PG_BINDIR = "/usr/lib/postgresql/15/bin"


class PostgresServer:
    """A throw-away PostgreSQL (as user postgres when we are root) on a free port."""

    def __init__(self, work):
        self.dir = os.path.join(work, "pg")
        os.makedirs(self.dir)
        os.chmod(work, 0o755)  # the postgres user must reach its directory
        self.prefix = []
        if os.geteuid() == 0:
            import pwd
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.prefix = ["/usr/sbin/runuser", "-u", "postgres", "--"]
        subprocess.run(self.prefix + [PG_BINDIR + "/initdb", "-D", self.dir + "/data", "-A",
                                      "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                                      "--locale=C"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.port = free_port()
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            self.prefix + [PG_BINDIR + "/postgres", "-D", self.dir + "/data", "-p", str(self.port),
                           "-k", self.dir, "-c", "listen_addresses=127.0.0.1", "-F"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def accepting():
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0
        wait_for(accepting, what="PostgreSQL")
        time.sleep(0.5)  # accepting TCP comes just before accepting queries

    def stop(self):
        # pg_ctl signals the postmaster itself (runuser does not forward signals).
        subprocess.run(self.prefix + [PG_BINDIR + "/pg_ctl", "-D", self.dir + "/data", "stop",
                                      "-m", "fast", "-w"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        self.process.wait(timeout=30)

    def url(self):
        return "postgresql://postgres@127.0.0.1:%d/postgres" % self.port


class RedisServer:
    """A throw-away redis-server (no persistence) that can be stopped and started again
    on the same port."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "",
                                         "--appendonly", "no", "--bind", "127.0.0.1"],
                                        stdout=subprocess.DEVNULL)

        def answering():
            result = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            return result.stdout.strip() == b"PONG"
        wait_for(answering, what="redis")

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=30)

    def cli(self, *args):
        return subprocess.run(["redis-cli", "-p", str(self.port)] + list(args), check=True,
                              stdout=subprocess.PIPE, timeout=30).stdout.decode().rstrip("\n")

    def url(self):
        return "redis://127.0.0.1:%d" % self.port


def readiness(cluster):
    code, body = cluster.get("/readyz")
    return code, (json.loads(body) if body.startswith("{") else {})


def find_member(document, name):
    """The first value of a member called `name` anywhere in a JSON document, or None."""
    if isinstance(document, dict):
        if name in document:
            return document[name]
        document = list(document.values())
    if isinstance(document, list):
        for item in document:
            found = find_member(item, name)
            if found is not None:
                return found
    return None


def metric_value(cluster, series):
    text = subprocess.run(["curl", "-sS", "--max-time", "10",
                           "http://127.0.0.1:%d/metrics" % cluster.ports["metrics"]],
                          check=True, stdout=subprocess.PIPE).stdout.decode()
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


class StoreDownE2E(unittest.TestCase):
    def test_postgres_down_follows_the_failure_policy_and_recovers(self):
        # scripts/bootstrap.sh installs both; a missing server fails, never skips.
        self.assertTrue(os.path.exists(PG_BINDIR + "/postgres"), "PostgreSQL 15 is needed")
        self.assertIsNotNone(shutil.which("redis-server"), "redis-server is needed")
        with tempfile.TemporaryDirectory(prefix="zastava-e2e-") as work:
            postgres = PostgresServer(work)
            redis_port = free_port()
            redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "",
                                      "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL)
            cluster = Cluster(work)
            try:
                wait_for(lambda: socket.create_connection(("127.0.0.1", redis_port)).close()
                         is None, what="redis")
                cluster.start_webhook(os.path.join(ROOT, "webhook", "default-policy.yaml"),
                                      ["--postgres", postgres.url(), "--valkey",
                                       "redis://127.0.0.1:%d" % redis_port,
                                       "--request-deadline", "3s",
                                       "--readiness-interval", "200ms"])
                self.assertEqual(readiness(cluster)[0], 200)
                digest = "sha256:" + "1" * 64
                code, body = cluster.validate(pod_review(["r.example.com/a@" + digest], uid="up"))
                self.assertEqual(code, 200, body)
                self.assertNotIn("unavailable", body)
                postgres.stop()
                started = time.monotonic()
                code, body = cluster.validate(
                    pod_review(["r.example.com/b@sha256:" + "2" * 64], uid="down"))
                self.assertEqual(code, 200, body)  # answered, within curl's --max-time
                self.assertLess(time.monotonic() - started, 10)
                response = json.loads(body)["response"]
                self.assertFalse(response["allowed"])  # failurePolicy Fail
                self.assertIn("unavailable", response["status"]["message"])
                # /readyz follows: PostgreSQL holds the artifacts and every provcache miss.
                wait_for(lambda: readiness(cluster)[0] == 503, what="/readyz 503")
                code, body = cluster.get("/readyz")
                self.assertIn("provcache", body)
                self.assertIn("artifacts", body)
                postgres.start()
                wait_for(lambda: readiness(cluster)[0] == 200, timeout=60,
                         what="/readyz 200 after PostgreSQL restarts")

                def recovered():
                    code, body = cluster.validate(
                        pod_review(["r.example.com/c@sha256:" + "3" * 64], uid="again"))
                    return code == 200 and "unavailable" not in body
                wait_for(recovered, timeout=60, what="recovery after PostgreSQL restarts")
            finally:
                cluster.close()
                redis.kill()
                redis.wait()
                if postgres.process.poll() is None:
                    postgres.stop()


    def test_valkey_down_falls_through_to_postgres_and_recovers(self):
        self.assertTrue(os.path.exists(PG_BINDIR + "/postgres"), "PostgreSQL 15 is needed")
        self.assertIsNotNone(shutil.which("redis-server"), "redis-server is needed")
        with tempfile.TemporaryDirectory(prefix="zastava-e2e-") as work:
            _, seals, policy = seal_images(work)
            postgres = PostgresServer(work)
            redis = RedisServer()
            cluster = Cluster(work)
            try:
                cluster.start_webhook(policy, ["--postgres", postgres.url(),
                                               "--valkey", redis.url(),
                                               "--request-deadline", "3s",
                                               "--readiness-interval", "200ms"])
                code, body = ingest_seals(cluster, seals, "base", approve=True)
                self.assertIn(code, (200, 201), body)

                def decide(uid):
                    code, body = cluster.validate(pod_review([sealed_image(seals, "base")],
                                                             uid=uid))
                    self.assertEqual(code, 200, body)
                    return json.loads(body)["response"]
                response = decide("valkey-up")
                self.assertTrue(response["allowed"], response)
                veri_key = response["auditAnnotations"]["image-0-verikey"]
                entry_key = "stellaops:prov:entry:" + veri_key
                cached = redis.cli("GET", entry_key)  # the evaluated decision went to Valkey
                self.assertTrue(cached.startswith("{"), cached)
                code, ready = readiness(cluster)
                self.assertEqual(code, 200, ready)
                self.assertEqual(ready["stores"]["valkey"], "up")
                self.assertFalse(ready["degraded"])

                redis.stop()
                # Admissions are still decided (no failure policy): what the in-process
                # cache does not hold is read from PostgreSQL.
                response = decide("valkey-down")
                self.assertTrue(response["allowed"], response)
                self.assertNotIn("unavailable", json.dumps(response))
                missing = "sha256:" + "f" * 64
                code, body = cluster.curl(cluster.ports["api"], "/v1/provcache/" + missing)
                self.assertEqual(code, 404, body)  # a miss read through to PostgreSQL, no error
                wait_for(lambda: "provcache: valkey layer failed" in cluster.log(),
                         what="the Valkey failure in the log")
                self.assertGreater(
                    metric_value(cluster, 'provcache_layer_errors_total{layer="valkey"}'), 0)
                # Ready, but degraded: Valkey is a cache in front of PostgreSQL.
                wait_for(lambda: readiness(cluster)[1].get("degraded") is True,
                         what="/readyz degraded")
                code, ready = readiness(cluster)
                self.assertEqual(code, 200, ready)
                self.assertTrue(ready["stores"]["valkey"].startswith("down"), ready)
                self.assertEqual(ready["stores"]["provcache"], "up")

                redis.start()  # empty: no persistence
                wait_for(lambda: readiness(cluster)[1].get("degraded") is False,
                         what="/readyz not degraded once Valkey is back")
                self.assertTrue(decide("valkey-back")["allowed"])
                # Served from Valkey again: drop the decision from every layer (the
                # in-process cache included), put it back into Valkey alone, read it.
                # (A pooled connection to the old server may fail once: retried.)
                invalidation = json.dumps({"by": "policy_hash",
                                           "value": find_member(json.loads(cached), "policyHash"),
                                           "reason": "e2e"}).encode()
                wait_for(lambda: cluster.curl(cluster.ports["api"], "/v1/provcache/invalidate",
                                              invalidation,
                                              headers=["Authorization: Bearer e2e-api-token"])[0]
                         == 200, what="the invalidation")
                redis.cli("SET", entry_key, cached)

                def read_back():
                    code, body = cluster.curl(cluster.ports["api"], "/v1/provcache/" + veri_key)
                    return code == 200 and json.loads(body)["source"] == "valkey"
                wait_for(read_back, what="the decision served from Valkey")
                # And a miss goes through Valkey without an error again.
                errors = metric_value(cluster, 'provcache_layer_errors_total{layer="valkey"}')
                code, body = cluster.curl(cluster.ports["api"], "/v1/provcache/" + missing)
                self.assertEqual(code, 404, body)
                self.assertEqual(
                    metric_value(cluster, 'provcache_layer_errors_total{layer="valkey"}'), errors)
            finally:
                cluster.close()
                if redis.process.poll() is None:
                    redis.stop()
                if postgres.process.poll() is None:
                    postgres.stop()

class WebhookLifecycleE2E(unittest.TestCase):
    def test_broken_policy_at_start_is_not_ready_then_recovers(self):
        with tempfile.TemporaryDirectory(prefix="zastava-e2e-") as work:
            cluster = Cluster(work)
            try:
                policy = os.path.join(work, "policy.yaml")
                with open(policy, "w") as handle:
                    handle.write("apiVersion: nope\n")
                cluster.start_webhook(policy)
                code, body = cluster.get("/readyz")
                self.assertEqual(code, 503, body)
                code, _ = cluster.validate(pod_review(["nginx:1.25"]))
                self.assertEqual(code, 503)
                with open(os.path.join(ROOT, "webhook", "default-policy.yaml")) as source:
                    text = source.read()
                with open(policy + ".tmp", "w") as handle:
                    handle.write(text)
                os.replace(policy + ".tmp", policy)
                wait_for(lambda: cluster.get("/readyz")[0] == 200, what="readiness")
                self.assertEqual(cluster.stop_webhook(), 0)
            finally:
                cluster.close()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--stella", required=True)
    parser.add_argument("--webhook", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.stella = os.path.abspath(ARGS.stella)
    ARGS.webhook = os.path.abspath(ARGS.webhook)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
