#!/usr/bin/env python3
"""Structural checks for Zastava's CustomResourceDefinitions (crds/).

kube-apiserver refuses a CRD whose schema is not *structural*, and a schema
without descriptions leaves `kubectl explain` mute. This test checks, without a
cluster:

- every YAML object has apiVersion, kind and metadata (CRDs and examples);
- each CRD is apiextensions.k8s.io/v1, named <plural>.<group>, with exactly
  one storage version, the status subresource and printer columns whose
  jsonPath points at a property the schema defines;
- the schema is structural: every node has a type (unless it is
  x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields), no node
  has both properties and additionalProperties, arrays have items, no $ref /
  anyOf / oneOf / allOf / not / uniqueItems / patternProperties, and the root
  metadata sets at most name and generateName;
- every property (and every additionalProperties / items object) has a
  description;
- enums and defaults validate against their own node; list-map keys are
  required in the items; every x-kubernetes-validations rule has a message;
- the examples in crds/examples validate against their kind's schema, and
  broken variants of them are refused.

The validator covers the subset of OpenAPI v3 the CRDs use: type, properties,
required, enum, minimum/maximum, minLength/maxLength, minItems/maxItems,
maxProperties, pattern, items and additionalProperties; unknown fields are
errors (kubectl's strict field validation). CEL rules are not evaluated here.
Python 3 stdlib plus PyYAML (Debian's python3-yaml).
"""

import copy
import glob
import os
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("check_crds.py needs PyYAML: apt-get install python3-yaml")

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
CRD_DIR = os.path.join(ROOT, "crds")
FORBIDDEN = ("$ref", "anyOf", "oneOf", "allOf", "not", "patternProperties",
             "definitions", "dependencies", "additionalItems")
TYPES = {"object", "array", "string", "integer", "number", "boolean"}

failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# ---- a validator for the OpenAPI subset ---------------------------------


def type_ok(value, t):
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return False


def validate(value, schema, path, errors):
    """Appends to errors every way value breaks schema."""
    t = schema.get("type")
    if t and not type_ok(value, t):
        errors.append(f"{path}: {value!r} is not {t}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} > maximum {schema['maximum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than minLength")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than maxLength")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than minItems")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than maxItems")
        for i, item in enumerate(value):
            validate(item, schema.get("items", {}), f"{path}[{i}]", errors)
    if isinstance(value, dict):
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            errors.append(f"{path}: more than maxProperties")
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}.{key}: required")
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        preserve = schema.get("x-kubernetes-preserve-unknown-fields", False)
        for key, v in value.items():
            if props is not None and key in props:
                validate(v, props[key], f"{path}.{key}", errors)
            elif isinstance(extra, dict):
                validate(v, extra, f"{path}.{key}", errors)
            elif props is not None and not preserve and extra is not True:
                errors.append(f"{path}.{key}: unknown field")


# ---- structural rules ----------------------------------------------------


def check_node(node, path, is_property):
    if not isinstance(node, dict):
        fail(path, "schema node is not a mapping")
        return
    for key in FORBIDDEN:
        if key in node:
            fail(path, f"'{key}' is not allowed in these structural schemas")
    if node.get("uniqueItems"):
        fail(path, "uniqueItems: true is forbidden by Kubernetes")
    exempt = node.get("x-kubernetes-int-or-string") or node.get(
        "x-kubernetes-preserve-unknown-fields")
    t = node.get("type")
    if t is None and not exempt:
        fail(path, "no type")
    elif t is not None and t not in TYPES:
        fail(path, f"unknown type {t!r}")
    if is_property and not str(node.get("description", "")).strip():
        fail(path, "no description")
    if "properties" in node and "additionalProperties" in node:
        fail(path, "properties and additionalProperties together")
    if t == "array" and "items" not in node:
        fail(path, "array without items")
    if t != "array" and "items" in node:
        fail(path, "items on a non-array")
    for value in node.get("enum", []):
        errors = []
        validate(value, {k: v for k, v in node.items() if k != "enum"}, path, errors)
        for e in errors:
            fail(path, f"enum value: {e}")
    if "default" in node:
        errors = []
        validate(node["default"], node, path + "(default)", errors)
        for e in errors:
            fail(path, f"default: {e}")
    for rule in node.get("x-kubernetes-validations", []):
        if not rule.get("rule") or not rule.get("message"):
            fail(path, "x-kubernetes-validations entry without rule or message")
    if node.get("x-kubernetes-list-type") == "map":
        items = node.get("items", {})
        for key in node.get("x-kubernetes-list-map-keys", []):
            prop = items.get("properties", {}).get(key)
            if prop is None or (key not in items.get("required", []) and "default" not in prop):
                fail(path, f"list-map key {key} must be a required (or defaulted) item property")
    for name, child in node.get("properties", {}).items():
        check_node(child, f"{path}.{name}", True)
    if isinstance(node.get("additionalProperties"), dict):
        check_node(node["additionalProperties"], f"{path}.*", True)
    if "items" in node:
        check_node(node["items"], f"{path}[]", True)


def property_at(schema, json_path):
    """The schema node at a printer column path like .spec.mode or .status.conditions[?(...)].status."""
    node = schema
    for part in re.sub(r"\[.*?\]", "", json_path).strip(".").split("."):
        if node.get("type") == "array":
            node = node["items"]
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node


def check_crd(path, crd):
    where = os.path.relpath(path, ROOT)
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1" or crd.get("kind") != "CustomResourceDefinition":
        fail(where, "not an apiextensions.k8s.io/v1 CustomResourceDefinition")
        return None
    spec = crd["spec"]
    names = spec["names"]
    if crd["metadata"].get("name") != f"{names['plural']}.{spec['group']}":
        fail(where, "metadata.name must be <plural>.<group>")
    if spec["group"] != "zastava.stellaops.io" or spec.get("scope") != "Namespaced":
        fail(where, "group zastava.stellaops.io, scope Namespaced expected")
    if "zastava" not in names.get("categories", []) or not names.get("shortNames"):
        fail(where, "categories [zastava] and shortNames expected")
    versions = spec["versions"]
    if sum(1 for v in versions if v.get("storage")) != 1:
        fail(where, "exactly one storage version expected")
    for version in versions:
        vwhere = f"{where}:{version['name']}"
        if "status" not in version.get("subresources", {}):
            fail(vwhere, "no status subresource")
        schema = version["schema"]["openAPIV3Schema"]
        check_node(schema, vwhere, False)
        if not schema.get("description"):
            fail(vwhere, "root schema has no description")
        meta = schema.get("properties", {}).get("metadata", {})
        if set(meta.get("properties", {})) - {"name", "generateName"}:
            fail(vwhere, "root metadata may only constrain name and generateName")
        status = schema.get("properties", {}).get("status", {}).get("properties", {})
        for field in ("conditions", "observedGeneration"):
            if field not in status:
                fail(vwhere, f"status.{field} missing")
        for column in version.get("additionalPrinterColumns", []):
            jp = column["jsonPath"]
            if jp == ".metadata.creationTimestamp":
                continue
            if property_at(schema, jp) is None:
                fail(vwhere, f"printer column {column['name']}: {jp} is not in the schema")
    return names["kind"], versions[0]["schema"]["openAPIV3Schema"]


def expect_valid(where, doc, schema):
    errors = []
    validate(doc, schema, "", errors)
    for e in errors:
        fail(where, e)


def expect_invalid(where, doc, schema, what):
    errors = []
    validate(doc, schema, "", errors)
    if not errors:
        fail(where, f"a broken variant was accepted: {what}")


def broken_variants(kind, doc):
    """(description, mutated copy) pairs that the schema must refuse."""
    def mutate(what, change):
        d = copy.deepcopy(doc)
        change(d["spec"])
        return what, d
    if kind == "FacetPolicy":
        return [
            mutate("maxChurnPercent 150", lambda s: s.setdefault("quotas", {}).update(binary={"maxChurnPercent": 150})),
            mutate("onExceed Deny", lambda s: s.setdefault("quotas", {}).update(os={"onExceed": "Deny"})),
            mutate("mode enforce", lambda s: s.update(mode="enforce")),
            mutate("signatureThreshold 0", lambda s: s.update(signatureThreshold=0)),
            mutate("misspelt requireSeals", lambda s: s.update(requireSeals=True)),
            mutate("image glob with a leading /", lambda s: s.update(images=["/nginx"])),
            mutate("pinnedSealId not a UUID", lambda s: s.update(baseline={"rule": "pinned", "pinnedSealId": "x"})),
            mutate("operator Maybe", lambda s: s.update(namespaceSelector={"matchExpressions": [{"key": "a", "operator": "Maybe"}]})),
        ]
    return [
        mutate("minTrustScore 101", lambda s: s.update(minTrustScore=101)),
        mutate("ttl 1d", lambda s: s.update(ttl="1d")),
        mutate("ttl 1.5h", lambda s: s.update(ttl="1.5h")),
        mutate("maxTtl 30m1h (out of order)", lambda s: s.update(maxTtl="30m1h")),
        mutate("onMiss Deny", lambda s: s.update(onMiss="Deny")),
        mutate("store type redis", lambda s: s.update(store={"type": "redis"})),
        mutate("signerSetHash md5", lambda s: s.update(revokedSigners=[{"signerSetHash": "md5:00"}])),
        mutate("unknown field", lambda s: s.update(ttlSeconds=60)),
    ]


def main():
    schemas = {}
    crd_files = sorted(glob.glob(os.path.join(CRD_DIR, "*.yaml")))
    example_files = sorted(glob.glob(os.path.join(CRD_DIR, "examples", "*.yaml")))
    if len(crd_files) < 2 or len(example_files) < 2:
        fail(CRD_DIR, "expected two CRDs and an example of each")
    for path in crd_files + example_files:
        for doc in load_all(path):
            for field in ("apiVersion", "kind", "metadata"):
                if field not in doc:
                    fail(os.path.relpath(path, ROOT), f"object without {field}")
    for path in crd_files:
        for crd in load_all(path):
            found = check_crd(path, crd)
            if found:
                schemas[found[0]] = found[1]
    for kind in ("FacetPolicy", "ProvcachePolicy"):
        if kind not in schemas:
            fail(CRD_DIR, f"no CRD for {kind}")
    covered = set()
    for path in example_files:
        where = os.path.relpath(path, ROOT)
        for doc in load_all(path):
            schema = schemas.get(doc.get("kind"))
            if schema is None:
                fail(where, f"no CRD for kind {doc.get('kind')}")
                continue
            if doc.get("apiVersion") != "zastava.stellaops.io/v1alpha1":
                fail(where, "apiVersion must be zastava.stellaops.io/v1alpha1")
            covered.add(doc["kind"])
            expect_valid(where, doc, schema)
            for what, broken in broken_variants(doc["kind"], doc):
                expect_invalid(where, broken, schema, what)
    for kind in schemas:
        if kind not in covered:
            fail(CRD_DIR, f"no example of {kind}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(crd_files)} CRDs, {len(example_files)} examples: "
          f"{'ok' if not failures else str(len(failures)) + ' problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
