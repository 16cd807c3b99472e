#!/usr/bin/env python3
"""Creates N FacetPolicies at once against a Kubernetes API (16 threads, one
keep-alive connection each) and waits until the operator's compiled policy
ConfigMap lists all of them as scopes. Prints the timings as JSON.

    load.py --port PORT --ca ca.crt --token TOKEN [--count 1000] [--namespace zastava-system]
"""

import argparse
import http.client
import json
import ssl
import sys
import threading
import time

GROUP = "/apis/zastava.stellaops.io/v1alpha1"


def connect(args):
    context = ssl.create_default_context(cafile=args.ca)
    return http.client.HTTPSConnection("127.0.0.1", args.port, context=context, timeout=60)


def headers(args):
    return {"Authorization": "Bearer " + args.token, "Content-Type": "application/json"}


def create_range(args, indexes, failures):
    connection = connect(args)
    for i in indexes:
        namespace = "team-%03d" % (i % 100)
        body = {"apiVersion": "zastava.stellaops.io/v1alpha1", "kind": "FacetPolicy",
                "metadata": {"name": "policy-%04d" % i, "namespace": namespace},
                "spec": {"images": ["registry.example.com/team-%04d/**" % i], "mode": "Enforce",
                         "quotas": {"binary": {"maxChurnPercent": 5, "onExceed": "Block"}}}}
        connection.request("POST", "%s/namespaces/%s/facetpolicies" % (GROUP, namespace),
                           body=json.dumps(body), headers=headers(args))
        response = connection.getresponse()
        response.read()
        if response.status not in (200, 201):
            failures.append(response.status)
    connection.close()


def scope_count(args, connection):
    connection.request("GET", "/api/v1/namespaces/%s/configmaps/zastava-policy" % args.namespace,
                       headers=headers(args))
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        return 0
    config_map = json.loads(body)
    return len(json.loads(config_map["data"]["policy.json"])["scopes"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--namespace", default="zastava-system")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    failures = []
    threads = [threading.Thread(target=create_range,
                                args=(args, range(t, args.count, args.threads), failures))
               for t in range(args.threads)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = time.monotonic()
    if failures:
        print("bench: %d creates failed: %s" % (len(failures), failures[:5]), file=sys.stderr)
        return 1
    poll = connect(args)
    count = 0
    while time.monotonic() - started < args.timeout:
        count = scope_count(args, poll)
        if count >= args.count:
            break
        time.sleep(0.05)
    converged = time.monotonic()
    print(json.dumps({"policies": args.count, "scopes": count,
                      "create_seconds": round(created - started, 3),
                      "converged_seconds": round(converged - started, 3),
                      "after_last_create_seconds": round(converged - created, 3)}))
    return 0 if count >= args.count else 1


if __name__ == "__main__":
    sys.exit(main())
