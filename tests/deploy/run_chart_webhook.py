#!/usr/bin/env python3
"""Runs the real zastava-webhook exactly as the chart configures it.

    run_chart_webhook.py --root ROOT --helm HELM --webhook BIN --stella BIN --certificates helm|job

Renders the chart, takes the webhook container's args, and lays out on disk
what its volumes would hold in a cluster, each mountPath mapped into a
temporary directory:
  - the TLS Secret: in the helm mode the Secret the chart rendered; in the job
    mode what the certgen Job's init container makes (its `stella certs`
    command line, run as rendered);
  - the policy ConfigMap: what the operator would write with no policies, a
    CompiledPolicy whose `defaults` are the chart's operator defaults;
  - emptyDirs: empty directories.
Only the listen addresses (free loopback ports) change, and --no-kube is
added (no API server here). Then it checks, over HTTPS with the rendered CA
and the host name kube-apiserver uses (<service>.<namespace>.svc, so the
certificate's SANs are checked too):
  - before the policy file exists (the operator has not written the
    ConfigMap yet), /healthz answers 200 and /readyz 503; once it is written,
    /readyz answers 200 (the probes the Deployment declares);
  - the sample AdmissionReview (e2e/samples/pod-review.json, an image with no
    seal) is *allowed* under the chart's defaults (mode Audit: a fresh install
    blocks nothing), with its uid echoed;
  - the same review is *denied* once the policy file says mode Enforce (the
    webhook re-reads it), so the sample is one the defaults really let pass;
  - SIGTERM stops the webhook with exit status 0.
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import yaml

NAMESPACE = "zastava-system"
RELEASE = "zastava"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def render(helm, root, values):
    command = [helm, "template", RELEASE, os.path.join(root, "charts", "zastava"), "--namespace", NAMESPACE]
    for value in values:
        command += ["--set", value]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def find(docs, kind, name):
    for d in docs:
        if d["kind"] == kind and d["metadata"]["name"] == name:
            return d
    raise AssertionError(f"{kind}/{name} is not rendered")


class Layout:
    """mountPath -> a directory under `base`, for one container."""

    def __init__(self, base, container):
        self.base = base
        self.mounts = {m["mountPath"].rstrip("/"): os.path.join(base, m["name"])
                       for m in container.get("volumeMounts", [])}
        for directory in self.mounts.values():
            os.makedirs(directory, exist_ok=True)

    def local(self, path):
        for mount, directory in sorted(self.mounts.items(), key=lambda m: -len(m[0])):
            if path == mount or path.startswith(mount + "/"):
                return directory + path[len(mount):]
        return None

    def rewrite(self, arg):
        name, equals, value = arg.partition("=")
        if equals and self.local(value):
            return f"{name}={self.local(value)}"
        return self.local(arg) or arg


def make_certificates(args, docs, work):
    """{tls.crt, tls.key, ca.crt} -> bytes, as the chosen mode makes them."""
    if args.certificates == "helm":
        secret = find(docs, "Secret", f"{RELEASE}-webhook-tls")
        return {k: base64.b64decode(v) for k, v in secret["data"].items()}
    job = find(docs, "Job", f"{RELEASE}-certgen-create")
    init = job["spec"]["template"]["spec"]["initContainers"][0]
    layout = Layout(os.path.join(work, "job"), init)
    command = [args.stella] + [layout.rewrite(a) for a in init["args"]]
    assert init["command"] == ["/usr/local/bin/stella"], init["command"]
    subprocess.run(command, check=True, capture_output=True)
    out = layout.local(init["args"][init["args"].index("--out") + 1])
    files = {}
    for key in ("tls.crt", "tls.key", "ca.crt"):
        with open(os.path.join(out, key), "rb") as f:
            files[key] = f.read()
    return files


def compiled_policy(docs, mode=None):
    defaults_cm = find(docs, "ConfigMap", f"{RELEASE}-operator-defaults")
    defaults = yaml.safe_load(defaults_cm["data"]["defaults.yaml"])
    if mode:
        defaults["mode"] = mode
    return {"apiVersion": "zastava.stellaops.io/v1alpha1", "kind": "CompiledPolicy",
            "metadata": {"name": "cluster-policy", "version": mode or "chart-defaults"},
            "defaults": defaults, "scopes": []}


def write_atomic(path, data):
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(temporary, path)


class Client:
    def __init__(self, port, ca_file, host_name):
        self.port = port
        self.context = ssl.create_default_context(cafile=ca_file)
        self.host_name = host_name

    def request(self, method, path, body=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10, context=self.context)
        # kube-apiserver checks the certificate against <svc>.<ns>.svc: so do we.
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        connection.sock = self.context.wrap_socket(sock, server_hostname=self.host_name)
        headers = {"Content-Type": "application/json", "Host": self.host_name}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data

    def status(self, path):
        try:
            return self.request("GET", path)[0]
        except (OSError, ssl.SSLError, http.client.HTTPException):
            return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--helm", required=True)
    parser.add_argument("--webhook", required=True)
    parser.add_argument("--stella", required=True)
    parser.add_argument("--certificates", choices=["helm", "job"], required=True)
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    args.webhook, args.stella = os.path.abspath(args.webhook), os.path.abspath(args.stella)
    docs = render(args.helm, root, [f"certificates.mode={args.certificates}"])
    deploy = find(docs, "Deployment", f"{RELEASE}-webhook")
    pod = deploy["spec"]["template"]["spec"]
    container = pod["containers"][0]
    service = find(docs, "Service", f"{RELEASE}-webhook")
    host_name = f"{service['metadata']['name']}.{NAMESPACE}.svc"

    work = tempfile.mkdtemp(prefix="zastava-chart-webhook-")
    process = None
    log_path = os.path.join(work, "webhook.log")
    try:
        layout = Layout(os.path.join(work, "volumes"), container)
        certs = make_certificates(args, docs, work)
        tls_dir = layout.local("/etc/zastava/tls")
        assert tls_dir, "the TLS volume is not mounted at /etc/zastava/tls"
        for key, data in certs.items():
            with open(os.path.join(tls_dir, key), "wb") as f:
                f.write(data)
        policy_flag = next(a for a in container["args"] if a.startswith("--policy-file="))
        policy_path = layout.local(policy_flag.split("=", 1)[1])

        ports = {"listen": free_port(), "api-listen": free_port(), "metrics-listen": free_port()}
        command = [args.webhook]
        for arg in container["args"]:
            flag = arg[2:].split("=", 1)[0]
            command.append(f"--{flag}=127.0.0.1:{ports[flag]}" if flag in ports else layout.rewrite(arg))
        command.append("--no-kube")
        assert container["command"] == ["/usr/local/bin/zastava-webhook"], container["command"]
        env = dict(os.environ, POD_NAME="zastava-webhook-test", POD_NAMESPACE=NAMESPACE)
        with open(log_path, "w") as log:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=work)
        client = Client(ports["listen"], os.path.join(tls_dir, "ca.crt"), host_name)

        def probe_ok(path):
            if process.poll() is not None:
                raise AssertionError(f"the webhook exited ({process.returncode})")
            return client.status(path) == 200

        # As on a fresh install: the operator has not written the ConfigMap yet
        # (the volume is optional, so the file is missing). The pod must live
        # (liveness 200) without receiving admissions (readiness not 200).
        liveness = container["livenessProbe"]["httpGet"]["path"]
        readiness = container["readinessProbe"]["httpGet"]["path"]
        wait_for(lambda: probe_ok(liveness), f"{liveness} to answer 200 without a policy")
        assert client.status(readiness) == 503, "ready without a policy"
        # The operator writes it: the webhook picks it up and becomes ready.
        write_atomic(policy_path, compiled_policy(docs))
        wait_for(lambda: probe_ok(readiness), f"{readiness} to answer 200 once the policy exists")
        print("no policy: live, not ready; policy written: ready")

        with open(os.path.join(root, "e2e", "samples", "pod-review.json"), encoding="utf-8") as f:
            review = json.load(f)
        uid = review["request"]["uid"]

        def verdict():
            status, body = client.request("POST", "/validate", json.dumps(review).encode())
            assert status == 200, f"/validate answered {status}: {body[:300]!r}"
            answer = json.loads(body)["response"]
            assert answer["uid"] == uid, answer
            return answer

        answer = verdict()
        assert answer["allowed"] is True, f"the chart defaults refused the sample: {answer}"
        annotations = answer.get("auditAnnotations", {})
        print(f"defaults: allowed, audit annotations {sorted(annotations)}")

        write_atomic(policy_path, compiled_policy(docs, mode="Enforce"))
        denied = []
        wait_for(lambda: denied.append(verdict()) or denied[-1]["allowed"] is False,
                 "the Enforce policy to be loaded and deny the sample")
        print(f"Enforce: denied ({denied[-1].get('status', {}).get('code')})")

        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        assert code == 0, f"SIGTERM: exit status {code}"
        print(f"certificates {args.certificates}: the webhook runs as the chart configures it: ok")
        return 0
    except (AssertionError, OSError, subprocess.CalledProcessError, StopIteration) as error:
        print("FAIL", error)
        if os.path.exists(log_path):
            with open(log_path, encoding="utf-8", errors="replace") as f:
                print("webhook log (tail):\n" + "".join(f.readlines()[-30:]))
        return 1
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
