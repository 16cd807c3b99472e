#!/usr/bin/env python3
"""A small Kubernetes API server double for tests (stdlib only).

Serves the REST shapes of kube-apiserver over TLS with bearer-token auth from
an in-memory object store: GET, LIST (limit/continue), WATCH (chunked JSON
lines, bookmarks, 410 for a too-old resourceVersion), POST, PUT, PATCH (merge,
strategic-as-merge, JSON patch, server-side apply as a merge), DELETE (with
finalizers), and the status subresource. Errors are Status objects shaped as
the real server shapes them. See README.md for where it differs.

    python3 fake_kube_api.py --port 0 --port-file port.txt \
        --cert server.crt --key server.key --token-file token

Test-only endpoints (no authentication): GET /_test/events, POST /_test/reset,
POST /_test/compact, GET /_test/stats.
"""

import argparse
import base64
import copy
import datetime
import http.server
import json
import os
import random
import socketserver
import ssl
import string
import sys
import threading
import time
import urllib.parse
import uuid

# Kinds of the resources the tests and the operator use; others take the
# body's kind (or the capitalised singular of the plural).
KINDS = {
    "pods": "Pod", "configmaps": "ConfigMap", "secrets": "Secret", "events": "Event",
    "namespaces": "Namespace", "leases": "Lease", "jobs": "Job", "deployments": "Deployment",
    "services": "Service", "serviceaccounts": "ServiceAccount",
    "facetpolicies": "FacetPolicy", "provcachepolicies": "ProvcachePolicy",
    "customresourcedefinitions": "CustomResourceDefinition",
}
# Resources without a status subresource: a PUT or PATCH replaces all of them.
NO_STATUS = {"configmaps", "secrets", "events", "leases", "serviceaccounts", "roles",
             "rolebindings", "clusterroles", "clusterrolebindings"}


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_object(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details is not None:
        body["details"] = details
    return body


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.status = status_object(code, reason, message, details)
        self.code = code


def details_for(ref, name):
    details = {"name": name, "kind": ref.resource}
    if ref.group:
        details["group"] = ref.group
    return details


def qualified(ref):
    return ref.resource + ("." + ref.group if ref.group else "")


def not_found(ref, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified(ref), name),
                    details_for(ref, name))


def conflict(ref, name):
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    "please apply your changes to the latest version and try again"
                    % (qualified(ref), name), details_for(ref, name))


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_pointer_parts(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, "Invalid", "invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(target, operations):
    """RFC 6902 JSON patch: add, remove, replace, test (what controllers use)."""
    document = copy.deepcopy(target)
    for op in operations:
        parts = json_pointer_parts(op.get("path", ""))
        if not parts:
            raise ApiError(422, "Invalid", "the whole document cannot be patched")
        parent = document
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.get(part)
            if parent is None:
                raise ApiError(422, "Invalid", "path %s does not exist" % op.get("path"))
        last = parts[-1]
        kind = op.get("op")
        try:
            if kind == "test":
                actual = parent[int(last)] if isinstance(parent, list) else parent[last]
                if actual != op.get("value"):
                    raise ApiError(422, "Invalid", "test operation failed at %s" % op["path"])
            elif kind == "remove":
                if isinstance(parent, list):
                    del parent[int(last)]
                else:
                    del parent[last]
            elif kind in ("add", "replace"):
                if isinstance(parent, list):
                    if last == "-":
                        parent.append(op["value"])
                    elif kind == "add":
                        parent.insert(int(last), op["value"])
                    else:
                        parent[int(last)] = op["value"]
                else:
                    if kind == "replace" and last not in parent:
                        raise KeyError(last)
                    parent[last] = op["value"]
            else:
                raise ApiError(422, "Invalid", "unsupported JSON patch op %r" % kind)
        except (KeyError, IndexError, ValueError):
            raise ApiError(422, "Invalid", "path %s does not exist" % op.get("path"))
    return document


class Ref:
    """What a request path addresses."""

    def __init__(self, group, version, resource, namespace, name, subresource):
        self.group, self.version, self.resource = group, version, resource
        self.namespace, self.name, self.subresource = namespace, name, subresource

    @property
    def api_version(self):
        return self.group + "/" + self.version if self.group else self.version

    def kind(self, body=None):
        if body and isinstance(body, dict) and body.get("kind"):
            return body["kind"]
        if self.resource in KINDS:
            return KINDS[self.resource]
        singular = self.resource[:-1] if self.resource.endswith("s") else self.resource
        return singular[:1].upper() + singular[1:]


def parse_path(path):
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces" and not (
            len(rest) == 3 and rest[2] in ("status", "finalize")):
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    resource = rest[0]
    name = rest[1] if len(rest) >= 2 else None
    sub = rest[2] if len(rest) == 3 else None
    return Ref(group, version, resource, namespace, name, sub)


def matches_label_selector(obj, selector):
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def matches_field_selector(obj, selector):
    metadata = obj.get("metadata", {})
    for term in filter(None, (t.strip() for t in selector.split(","))):
        negate = "!=" in term
        key, value = term.replace("!=", "=").replace("==", "=").split("=", 1)
        if key == "metadata.name":
            actual = metadata.get("name")
        elif key == "metadata.namespace":
            actual = metadata.get("namespace")
        else:
            raise ApiError(400, "BadRequest",
                           'field label not supported: %s' % key)
        if (actual == value) == negate:
            return False
    return True


class Store:
    """Objects by (group, resource, namespace, name), and the change history watches read."""

    def __init__(self, history_limit):
        self.lock = threading.Condition()
        self.objects = {}
        # resourceVersions start from the clock, so a restarted double (an
        # empty store) finds every resourceVersion a client kept too old: 410.
        self.rv = int(time.time() * 1000)
        self.history = []  # (rv, type, key, object)
        self.history_limit = history_limit
        self.compacted_rv = self.rv  # watches from below this get 410
        self.generation = 0  # bumped on reset so live watches end
        self.compactions = 0  # bumped on compact: live watches end with 410

    def reset(self):
        with self.lock:
            self.objects.clear()
            self.history.clear()
            self.compacted_rv = self.rv
            self.generation += 1
            self.lock.notify_all()

    def compact(self):
        with self.lock:
            self.history.clear()
            self.compacted_rv = self.rv
            self.compactions += 1
            self.lock.notify_all()

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def record(self, kind, key, obj):
        self.history.append((int(obj["metadata"]["resourceVersion"]), kind, key,
                             copy.deepcopy(obj)))
        if len(self.history) > self.history_limit:
            dropped = self.history.pop(0)
            self.compacted_rv = dropped[0]
        self.lock.notify_all()


def key_of(ref, namespace, name):
    return (ref.group, ref.resource, namespace or "", name)


def in_scope(key, ref):
    return key[0] == ref.group and key[1] == ref.resource and (
        ref.namespace is None or key[2] == ref.namespace)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "fake-kube-apiserver/0.1"

    # ---- plumbing -------------------------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake-kube-api: " + (fmt % args) + "\n")

    def setup(self):
        super().setup()
        with self.server.stats_lock:
            self.server.stats["connections"] += 1

    def send_json(self, code, body, extra_headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        return self.rfile.read(length) if length else b""

    def parse_json_body(self, raw):
        try:
            return json.loads(raw.decode() or "null")
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, "BadRequest", "the body of the request was in an unknown "
                           "format - accepted media types include: application/json: %s" % error)

    def authorized(self):
        expected = self.server.current_token()
        header = self.headers.get("Authorization", "")
        return expected is not None and header == "Bearer " + expected

    def dispatch(self, method):
        with self.server.stats_lock:
            self.server.stats["requests"] += 1
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        raw = self.read_body() if method in ("POST", "PUT", "PATCH", "DELETE") else b""
        try:
            if url.path.startswith("/_test/"):
                return self.test_endpoint(method, url.path)
            if not self.authorized():
                with self.server.stats_lock:
                    self.server.stats["unauthorized"] += 1
                raise ApiError(401, "Unauthorized", "Unauthorized")
            ref = parse_path(url.path)
            if ref is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            if self.server.delay_seconds:
                time.sleep(self.server.delay_seconds)
            self.route(method, ref, query, raw)
        except ApiError as error:
            self.send_json(error.code, error.status)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # ---- test endpoints ------------------------------------------------------------------
    def test_endpoint(self, method, path):
        store = self.server.store
        if path == "/_test/events" and method == "GET":
            with store.lock:
                items = [copy.deepcopy(o) for k, o in sorted(store.objects.items())
                         if k[1] == "events"]
            return self.send_json(200, {"items": items})
        if path == "/_test/reset" and method == "POST":
            store.reset()
            return self.send_json(200, {"ok": True})
        if path == "/_test/compact" and method == "POST":
            store.compact()
            return self.send_json(200, {"compactedResourceVersion": str(store.compacted_rv)})
        if path == "/_test/stats" and method == "GET":
            with self.server.stats_lock:
                stats = dict(self.server.stats)
            with store.lock:
                stats["resourceVersion"] = str(store.rv)
            return self.send_json(200, stats)
        raise ApiError(404, "NotFound", "no such test endpoint")

    # ---- the API ---------------------------------------------------------------------------
    def route(self, method, ref, query, raw):
        if ref.subresource not in (None, "status"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if method == "GET" and ref.name is None:
            if query.get("watch") in ("true", "1"):
                return self.watch(ref, query)
            return self.list(ref, query)
        if method == "GET":
            return self.send_json(200, self.get(ref))
        if method == "POST" and ref.name is None and ref.subresource is None:
            return self.create(ref, self.parse_json_body(raw), query)
        if method == "PUT" and ref.name is not None:
            return self.update(ref, self.parse_json_body(raw))
        if method == "PATCH" and ref.name is not None:
            return self.patch(ref, raw, query)
        if method == "DELETE" and ref.name is not None and ref.subresource is None:
            return self.delete(ref, raw)
        raise ApiError(405, "MethodNotAllowed",
                       "the server does not allow this method on the requested resource")

    def get(self, ref):
        store = self.server.store
        with store.lock:
            obj = store.objects.get(key_of(ref, ref.namespace, ref.name))
            if obj is None:
                raise not_found(ref, ref.name)
            return copy.deepcopy(obj)

    def list(self, ref, query):
        store = self.server.store
        limit = int(query.get("limit") or 0)
        token = query.get("continue")
        with store.lock:
            list_rv = store.rv
            start_after = None
            if token:
                try:
                    decoded = json.loads(base64.b64decode(token).decode())
                    list_rv, start_after = decoded["rv"], tuple(decoded["start"])
                except (ValueError, KeyError, TypeError):
                    raise ApiError(400, "BadRequest", "continue key is not valid")
                if list_rv < store.compacted_rv:
                    raise ApiError(410, "Expired",
                                   "The provided continue parameter is too old to display a "
                                   "consistent list result. You can start a new list without "
                                   "the continue parameter.")
            keys = sorted(k for k in store.objects if in_scope(k, ref))
            items = []
            for key in keys:
                if start_after is not None and key[2:] <= start_after:
                    continue
                obj = store.objects[key]
                if not self.selected(obj, query):
                    continue
                items.append(copy.deepcopy(obj))
            metadata = {"resourceVersion": str(store.rv)}
            if limit and len(items) > limit:
                remaining = len(items) - limit
                items = items[:limit]
                last = items[-1]["metadata"]
                metadata["continue"] = base64.b64encode(json.dumps(
                    {"rv": list_rv, "start": [last.get("namespace", ""), last["name"]]}
                ).encode()).decode()
                metadata["remainingItemCount"] = remaining
        self.send_json(200, {"kind": ref.kind() + "List", "apiVersion": ref.api_version,
                             "metadata": metadata, "items": items})

    @staticmethod
    def selected(obj, query):
        if query.get("labelSelector") and not matches_label_selector(obj, query["labelSelector"]):
            return False
        if query.get("fieldSelector") and not matches_field_selector(obj, query["fieldSelector"]):
            return False
        return True

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, ref, query):
        store = self.server.store
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        timeout = float(query.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        requested = query.get("resourceVersion") or ""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pending = []
        with store.lock:
            generation = store.generation
            compactions = store.compactions
            if requested in ("", "0"):
                # Synthetic ADDED events for what exists, then the live stream.
                for key in sorted(k for k in store.objects if in_scope(k, ref)):
                    pending.append(("ADDED", copy.deepcopy(store.objects[key])))
                position = store.rv
            else:
                position = int(requested)
                if position < store.compacted_rv or position > store.rv:
                    status = status_object(410, "Expired", "too old resource version: %d (%d)"
                                           % (position, store.compacted_rv))
                    pending.append(("ERROR", status))
                    position = None
        try:
            for kind, obj in pending:
                if kind == "ERROR" or self.selected(obj, query):
                    self.write_chunk(json.dumps({"type": kind, "object": obj}).encode() + b"\n")
            if position is None:
                return self.end_stream()
            last_bookmark = time.monotonic()
            while not self.server.stopping:
                with store.lock:
                    if store.generation != generation:
                        break
                    events = [(rv, kind, obj) for rv, kind, key, obj in store.history
                              if rv > position and in_scope(key, ref)]
                    if not events:
                        store.lock.wait(timeout=0.1)
                        events = [(rv, kind, obj) for rv, kind, key, obj in store.history
                                  if rv > position and in_scope(key, ref)]
                    if store.compactions != compactions or (
                            events and position < store.compacted_rv):
                        status = status_object(410, "Expired", "too old resource version: %d (%d)"
                                               % (position, store.compacted_rv))
                        self.write_chunk(json.dumps({"type": "ERROR", "object": status}).encode()
                                         + b"\n")
                        break
                    current_rv = store.rv
                for rv, kind, obj in events:
                    position = rv
                    if self.selected(obj, query):
                        self.write_chunk(json.dumps({"type": kind, "object": obj}).encode()
                                         + b"\n")
                now = time.monotonic()
                if bookmarks and now - last_bookmark >= self.server.bookmark_interval:
                    last_bookmark = now
                    position = max(position, current_rv)
                    bookmark = {"kind": ref.kind(), "apiVersion": ref.api_version,
                                "metadata": {"resourceVersion": str(position)}}
                    self.write_chunk(json.dumps({"type": "BOOKMARK", "object": bookmark}).encode()
                                     + b"\n")
                if now >= deadline:
                    break
            self.end_stream()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def new_metadata(self, ref, obj, name, namespace):
        metadata = obj.setdefault("metadata", {})
        metadata["name"] = name
        if ref.namespace is not None:
            metadata["namespace"] = namespace
        metadata["uid"] = str(uuid.uuid4())
        metadata["creationTimestamp"] = now_rfc3339()
        if ref.resource not in NO_STATUS:
            metadata["generation"] = 1  # objects with a spec count its changes
        for field in ("resourceVersion", "deletionTimestamp"):
            metadata.pop(field, None)

    def create(self, ref, body, query, status_code=201):
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        metadata = body.get("metadata") or {}
        name = metadata.get("name")
        if not name and metadata.get("generateName"):
            name = metadata["generateName"] + "".join(
                random.choice(string.ascii_lowercase + string.digits) for _ in range(5))
        if not name:
            raise ApiError(422, "Invalid", "%s.%s \"\" is invalid: metadata.name: Required value: "
                           "name or generateName is required" % (ref.kind(body), ref.version),
                           {"kind": ref.kind(body), "causes": [{"reason": "FieldValueRequired",
                            "message": "Required value: name or generateName is required",
                            "field": "metadata.name"}]})
        if ref.namespace is not None and metadata.get("namespace") not in (None, "",
                                                                           ref.namespace):
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not "
                           "match the namespace sent on the request")
        obj = copy.deepcopy(body)
        obj["kind"] = ref.kind(body)
        obj["apiVersion"] = ref.api_version
        if query.get("dryRun") == "All":
            self.new_metadata(ref, obj, name, ref.namespace)
            return self.send_json(status_code, obj)
        store = self.server.store
        with store.lock:
            key = key_of(ref, ref.namespace, name)
            if key in store.objects:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists'
                               % (qualified(ref), name), details_for(ref, name))
            self.new_metadata(ref, obj, name, ref.namespace)
            obj["metadata"]["resourceVersion"] = store.next_rv()
            store.objects[key] = obj
            store.record("ADDED", key, obj)
            result = copy.deepcopy(obj)
        self.send_json(status_code, result)

    @staticmethod
    def spec_part(obj):
        return {k: v for k, v in obj.items()
                if k not in ("metadata", "status", "kind", "apiVersion")}

    def store_update(self, ref, key, old, new):
        """Writes `new` over `old` keeping what the subresource rules say (under the lock)."""
        store = self.server.store
        has_status = ref.resource not in NO_STATUS
        if ref.subresource == "status":
            merged = copy.deepcopy(old)
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
        else:
            merged = copy.deepcopy(new)
            if has_status:
                if "status" in old:
                    merged["status"] = old["status"]
                else:
                    merged.pop("status", None)
            metadata = merged.setdefault("metadata", {})
            for field in ("uid", "creationTimestamp", "generation", "deletionTimestamp",
                          "name", "namespace"):
                if field in old["metadata"]:
                    metadata[field] = old["metadata"][field]
            if has_status and self.spec_part(merged) != self.spec_part(old):
                metadata["generation"] = old["metadata"].get("generation", 1) + 1
        merged["kind"], merged["apiVersion"] = old["kind"], ref.api_version
        if merged == old:
            return copy.deepcopy(old)  # a no-op write keeps its resourceVersion, like the real one
        merged["metadata"]["resourceVersion"] = store.next_rv()
        if merged["metadata"].get("deletionTimestamp") and not merged["metadata"].get(
                "finalizers"):
            del store.objects[key]
            store.record("DELETED", key, merged)
        else:
            store.objects[key] = merged
            store.record("MODIFIED", key, merged)
        return copy.deepcopy(merged)

    def update(self, ref, body):
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        store = self.server.store
        with store.lock:
            key = key_of(ref, ref.namespace, ref.name)
            old = store.objects.get(key)
            if old is None:
                raise not_found(ref, ref.name)
            given = (body.get("metadata") or {}).get("resourceVersion")
            if given and given != old["metadata"]["resourceVersion"]:
                raise conflict(ref, ref.name)
            result = self.store_update(ref, key, old, body)
        self.send_json(200, result)

    def patch(self, ref, raw, query):
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        apply = content_type == "application/apply-patch+yaml"
        if content_type not in ("application/merge-patch+json",
                                "application/strategic-merge-patch+json",
                                "application/json-patch+json") and not apply:
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media "
                           "types include: application/json-patch+json, "
                           "application/merge-patch+json, application/apply-patch+yaml")
        if apply and not query.get("fieldManager"):
            raise ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: "
                           "fieldManager: Required value: is required for apply patch")
        patch = self.parse_json_body(raw)  # JSON is YAML: the double reads JSON only
        store = self.server.store
        with store.lock:
            key = key_of(ref, ref.namespace, ref.name)
            old = store.objects.get(key)
            if old is None:
                if apply and ref.subresource is None:
                    pass  # server-side apply creates
                else:
                    raise not_found(ref, ref.name)
        if old is None:
            body = copy.deepcopy(patch)
            body.setdefault("metadata", {})["name"] = ref.name
            return self.create(ref, body, query, status_code=201)
        with store.lock:
            old = store.objects.get(key)
            if old is None:
                raise not_found(ref, ref.name)
            if content_type == "application/json-patch+json":
                new = json_patch(old, patch)
            else:
                if not isinstance(patch, dict):
                    raise ApiError(400, "BadRequest", "a merge patch must be a JSON object")
                given = (patch.get("metadata") or {}).get("resourceVersion")
                if given and given != old["metadata"]["resourceVersion"]:
                    raise conflict(ref, ref.name)
                new = merge_patch(old, patch)
            new.setdefault("metadata", {})["resourceVersion"] = old["metadata"]["resourceVersion"]
            result = self.store_update(ref, key, old, new)
        self.send_json(200, result)

    def delete(self, ref, raw):
        options = self.parse_json_body(raw) if raw.strip() else {}
        store = self.server.store
        with store.lock:
            key = key_of(ref, ref.namespace, ref.name)
            old = store.objects.get(key)
            if old is None:
                raise not_found(ref, ref.name)
            preconditions = (options or {}).get("preconditions") or {}
            if preconditions.get("resourceVersion") not in (
                    None, old["metadata"]["resourceVersion"]) or preconditions.get("uid") not in (
                    None, old["metadata"]["uid"]):
                raise conflict(ref, ref.name)
            if old["metadata"].get("finalizers"):
                if old["metadata"].get("deletionTimestamp"):
                    return self.send_json(200, copy.deepcopy(old))
                obj = copy.deepcopy(old)
                obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                obj["metadata"]["resourceVersion"] = store.next_rv()
                store.objects[key] = obj
                store.record("MODIFIED", key, obj)
                return self.send_json(200, copy.deepcopy(obj))
            obj = copy.deepcopy(old)
            obj["metadata"]["resourceVersion"] = store.next_rv()
            del store.objects[key]
            store.record("DELETED", key, obj)
        self.send_json(200, obj)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, args):
        super().__init__(address, Handler)
        self.store = Store(args.history)
        self.token = args.token
        self.token_file = args.token_file
        self.bookmark_interval = args.bookmark_interval
        self.delay_seconds = args.delay
        self.verbose = args.verbose
        self.stopping = False
        self.stats_lock = threading.Lock()
        self.stats = {"connections": 0, "requests": 0, "unauthorized": 0}

    def current_token(self):
        """The accepted token: the file's content now (re-read on every request), or --token."""
        if self.token_file:
            try:
                with open(self.token_file) as handle:
                    return handle.read().strip() or None
            except OSError:
                return None
        return self.token


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--cert", help="serving certificate (PEM); plain HTTP without it")
    parser.add_argument("--key", help="serving key (PEM)")
    parser.add_argument("--token", help="the one bearer token accepted")
    parser.add_argument("--token-file", help="accept the token this file holds now")
    parser.add_argument("--history", type=int, default=10000,
                        help="watch events kept; older resourceVersions get 410 Gone")
    parser.add_argument("--bookmark-interval", type=float, default=60.0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each API reply")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not args.token and not args.token_file:
        parser.error("one of --token or --token-file is required")
    server = Server((args.host, args.port), args)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    if args.port_file:
        temporary = args.port_file + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(str(port))
        os.replace(temporary, args.port_file)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping = True
        server.server_close()


if __name__ == "__main__":
    main()
