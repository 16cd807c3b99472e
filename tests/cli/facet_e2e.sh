#!/usr/bin/env bash
# End-to-end tests of `stella seal`, `seal verify`, `drift` and `vex gen` on
# real images (tests/fixtures/make_images.sh: umoci and skopeo).
#
# usage: facet_e2e.sh CASE
#   env STELLA   the stella binary
#       IMAGES   the make_images.sh output directory (built by the fixture test)
#
# Expected values come from the fixture script's file contents and the
# documented rules (src/facet/definitions.hpp, drift.hpp), never from
# stella's own output pasted back. Hashes are recomputed with sha256sum.
set -euo pipefail
E2E_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/e2e_lib.sh"

: "${STELLA:?set STELLA to the stella binary}"
: "${IMAGES:?set IMAGES to the make_images.sh output directory}"
CASE=${1:?usage: facet_e2e.sh CASE}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stella-facet-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# fail, run, contains, matches, equal
source "$E2E_LIB"

keys() {
  run 0 keygen "keygen" --type ecdsa-p256 --out signer.pem
  run 0 keygen-other "keygen" --type ed25519 --out other.pem
  [ -s signer.pub.pem ] && [ -s other.pub.pem ] || fail "keygen did not write public keys"
}

# The decoded payload of the seal of FACET in SEALS.
payload_of() {  # SEALS FACET
  jq -c --arg facet "$2" '.seals[] | .payload | @base64d | fromjson
                          | select(.facetId == $facet)' "$1"
}

# The first RepoTags entry of a docker-archive in IMAGES ("docker.io/zastava/app:base").
repo_tag() { tar -xOf "$IMAGES/$1" manifest.json | jq -r '.[0].RepoTags[0]'; }

sha256_of_text() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

seal_base_forms() {
  run 0 seal-oci seal "oci:$IMAGES/oci:base" --key signer.pem --sealed-by e2e --output oci.json
  run 0 seal-docker seal "docker-archive:$IMAGES/base.tar" --key signer.pem --sealed-by e2e \
    --output docker.json
  run 0 seal-dir seal "dir:$IMAGES/base-rootfs" --key signer.pem --sealed-by e2e \
    --output dir.json
}

# ---------------------------------------------------------------- cases

# The same image as OCI layout, docker-archive and rootfs gives the same
# manifests; the entries are the fixture's files with their real hashes.
case_seal_forms() {
  keys
  seal_base_forms
  local facets
  facets=$(jq -r '[.seals[].payload | @base64d | fromjson | .facetId] | join(" ")' oci.json)
  equal "$facets" "os lang/node lang/python lang/go binary config" "facets sealed, in definition order"
  for facet in $facets; do
    local reference
    reference=$(payload_of oci.json "$facet" | jq -c '.manifest | del(.extractedAt)')
    for other in docker.json dir.json; do
      equal "$(payload_of "$other" "$facet" | jq -c '.manifest | del(.extractedAt)')" "$reference" \
        "facet $facet manifest of $other vs oci.json"
    done
  done
  # What differs between the forms: image digest (none for a directory) and ids.
  local oci_digest docker_digest
  oci_digest=$(jq -r .imageDigest oci.json)
  docker_digest=$(jq -r .imageDigest docker.json)
  equal "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "base") | .digest' \
    "$IMAGES/oci/index.json")" "$oci_digest" "oci seals' imageDigest is the base manifest digest"
  [[ "$docker_digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "docker-archive imageDigest '$docker_digest'"
  equal "$(jq -r .imageDigest dir.json)" "" "a rootfs directory has no image digest"
  equal "$(jq -r .imageRef docker.json)" "$(repo_tag base.tar)" "imageRef from the archive's RepoTags"
  equal "$(jq -r .imageRef oci.json)" "oci:$IMAGES/oci:base" "a bare OCI tag names no image: the spec"
  equal "$(jq -r .imageRef dir.json)" "dir:$IMAGES/base-rootfs" "imageRef of a rootfs is the spec"
  [ "$(payload_of oci.json os | jq -r .sealId)" != "$(payload_of docker.json os | jq -r .sealId)" ] ||
    fail "two seals share a seal id"

  # Exact membership per the default definitions (first match wins).
  equal "$(payload_of oci.json config | jq -r '[.manifest.files[].path] | join(" ")')" \
    "/etc/app/app.conf /etc/os-release" "config facet files"
  equal "$(payload_of oci.json os | jq -r '[.manifest.files[].path] | join(" ")')" \
    "/var/lib/dpkg/status" "os facet files"
  equal "$(payload_of oci.json binary | jq -r '[.manifest.files[].path] | join(" ")')" \
    "/usr/bin/tool /usr/lib/x86_64-linux-gnu/libfoo.so.1" "binary facet files"
  equal "$(payload_of oci.json lang/node | jq -r '[.manifest.files[].path] | join(" ")')" \
    "/app/node_modules/left-pad/index.js /app/node_modules/left-pad/package.json /app/package-lock.json /app/package.json" \
    "lang/node facet files"
  equal "$(payload_of oci.json lang/go | jq -r '.manifest.fileCount')" "0" "empty facet"

  # One entry in full, against the fixture's bytes.
  local conf
  conf=$(payload_of oci.json config | jq -c '.manifest.files[] | select(.path == "/etc/app/app.conf")')
  equal "$(jq -r .contentHash <<<"$conf")" \
    "sha256:$(sha256_of_text $'listen = 8080\nlog_level = info\n')" "app.conf content hash"
  equal "$(jq -r .size <<<"$conf")" "$(printf 'listen = 8080\nlog_level = info\n' | wc -c)" "app.conf size"
  equal "$(jq -r .mode <<<"$conf")" "0644" "app.conf mode"
  equal "$(jq -r .modTime <<<"$conf")" "2024-01-01T00:00:00.000Z" "app.conf mtime"
  equal "$(payload_of oci.json binary | jq -r '.manifest.files[] | select(.path == "/usr/bin/tool") | .mode')" \
    "0755" "tool mode"

  # The summary table names every facet with its file count and root.
  contains seal-oci.out "sealed 6 facet(s) of oci:$IMAGES/oci:base ($oci_digest)"
  matches seal-oci.out "^config +2 +[0-9]+ +sha256:[0-9a-f]{64}$"
  contains seal-oci.out "$(payload_of oci.json binary | jq -r .manifest.merkleRoot)"
  # The seals file is canonical JSON (one serialization), plus a newline.
  run 0 canon-seals canon oci.json
  cmp -s canon-seals.out <(head -c -1 oci.json) || fail "oci.json is not canonical JSON"
  # Not a terminal: no progress bar on stderr.
  [ ! -s seal-oci.err ] || fail "stderr not empty without a terminal: $(cat seal-oci.err)"
}

# --facet keeps only some facets; their manifests equal the full run's.
case_seal_select() {
  keys
  run 0 seal-all seal "oci:$IMAGES/oci:changed" --key signer.pem --output all.json
  run 0 seal-two seal "oci:$IMAGES/oci:changed" --key signer.pem --key other.pem \
    --facet binary --facet os --image-ref registry.example.com/zastava/app:changed --output two.json
  equal "$(jq -r '[.seals[].payload | @base64d | fromjson | .facetId] | join(" ")' two.json)" \
    "os binary" "selected facets, in definition order"
  equal "$(jq -r .imageRef two.json)" "registry.example.com/zastava/app:changed" "--image-ref"
  for facet in os binary; do
    equal "$(payload_of two.json "$facet" | jq -c .manifest.merkleRoot)" \
      "$(payload_of all.json "$facet" | jq -c .manifest.merkleRoot)" "facet $facet root alone vs all"
  done
  # Hard link and symlink of the changed image.
  local bin
  bin=$(payload_of two.json binary)
  equal "$(jq -r '.manifest.files[] | select(.path == "/usr/bin/tool-link") | .contentHash' <<<"$bin")" \
    "sha256:$(sha256_of_text $'#!/bin/sh\necho tool v2 rebuilt\n')" "hard link has its target's content"
  equal "$(jq -r '.manifest.files[] | select(.path == "/usr/bin/tool-alias") | .contentHash' <<<"$bin")" \
    "sha256:$(sha256_of_text tool)" "symlink hash covers its target path"
  # Two signatures, both verifying; a threshold of 2 needs both keys.
  equal "$(jq '[.seals[].signatures | length] | unique | join(",")' -r two.json)" "2" "signatures per seal"
  run 0 verify-two seal verify two.json --pub signer.pub.pem --pub other.pub.pem --threshold 2
  run 1 verify-one-signer seal verify all.json --pub signer.pub.pem --pub other.pub.pem --threshold 2
  contains verify-one-signer.out "FAILED: 6 of 6 seal(s) did not verify"
}

case_seal_verify() {
  keys
  run 0 seal seal "docker-archive:$IMAGES/changed.tar" --key signer.pem --output seals.json
  run 0 verify seal verify seals.json --pub signer.pub.pem
  contains verify.out "6 seal(s) of $(repo_tag changed.tar) ($(jq -r .imageDigest seals.json))"
  equal "$(grep -c '  OK$' verify.out)" "6" "OK rows"
  contains verify.out "$(payload_of seals.json binary | jq -r .sealId)"
  contains verify.out "OK: all 6 seal(s) verified"
  local keyid
  keyid=$(cat keygen.out)
  contains verify.out "${keyid:0:19}"

  run 1 verify-wrong-key seal verify seals.json --pub other.pub.pem
  equal "$(grep -c 'FAILED' verify-wrong-key.out)" "7" "every seal fails, plus the summary"
  contains verify-wrong-key.out "FAILED: 6 of 6 seal(s) did not verify"
  contains verify-wrong-key.out "signature"

  # Bad inputs: clear messages, no crash.
  printf 'not a key\n' >bad.pem
  run 1 verify-bad-key seal verify seals.json --pub bad.pem
  contains verify-bad-key.err "bad.pem"
  run 1 verify-missing seal verify missing.json --pub signer.pub.pem
  contains verify-missing.err "missing.json"
  run 64 verify-no-pub seal verify seals.json
  contains verify-no-pub.err "--pub is required"
}

# Tampering with a seals file is caught, with the reason.
case_seal_tamper() {
  keys
  run 0 seal seal "oci:$IMAGES/oci:base" --key signer.pem --output seals.json
  run 0 seal-changed seal "oci:$IMAGES/oci:changed" --key signer.pem --output changed.json

  # 1. An entry edited in a payload, re-encoded, not re-signed.
  jq '.seals[5].payload |= (@base64d | fromjson | .manifest.files[0].size += 1 | tojson | @base64)' \
    seals.json >edited.json
  run 1 verify-edited seal verify edited.json --pub signer.pub.pem
  equal "$(grep -c '  OK$' verify-edited.out)" "5" "the other seals still verify"
  contains verify-edited.out "config"
  contains verify-edited.out "FAILED: facet seal signature"
  contains verify-edited.out "FAILED: 1 of 6 seal(s) did not verify"

  # 2. Two seals' payloads swapped (signatures left in place).
  jq '.seals[0].payload as $a | .seals[0].payload = .seals[4].payload | .seals[4].payload = $a' \
    seals.json >swapped.json
  run 1 verify-swapped seal verify swapped.json --pub signer.pub.pem
  contains verify-swapped.out "FAILED: 2 of 6 seal(s) did not verify"
  contains verify-swapped.out "FAILED: facet seal signature"

  # 3. An entry edited and the payload re-signed by the trusted key: the
  #    signature holds, the Merkle root recomputed from the entries does not.
  payload_of seals.json config |
    jq -c '.manifest.files[0].contentHash = "sha256:" + ("0" * 64)' >config-edited.json
  run 0 canon canon config-edited.json
  run 0 resign dsse sign --key signer.pem --payload-type application/vnd.stellaops.facet-seal.v1+json \
    --in canon.out --out config-envelope.json
  jq --slurpfile envelope config-envelope.json '.seals[5] = $envelope[0]' seals.json >resigned.json
  run 1 verify-resigned seal verify resigned.json --pub signer.pub.pem
  contains verify-resigned.out "FAILED"
  grep -qi "root" verify-resigned.out || fail "the re-signed seal fails for a reason other than its root"
  ! grep -q "facet seal signature" verify-resigned.out || fail "the re-signed seal's signature failed"

  # 4. A correctly signed seal of another image spliced in.
  jq --slurpfile other changed.json '.seals[4] = $other[0].seals[4]' seals.json >spliced.json
  run 1 verify-spliced seal verify spliced.json --pub signer.pub.pem
  contains verify-spliced.out "seal is for image $(jq -r .imageDigest changed.json)"

  # drift refuses tampered seals too, with and without keys.
  run 1 drift-edited drift edited.json changed.json --pub signer.pub.pem
  contains drift-edited.err "baseline"
  run 1 drift-resigned drift resigned.json changed.json
  grep -qi "root" drift-resigned.err || fail "drift without keys does not check the Merkle root"
}

# A facets file: every default facet plus custom/data over /opt and /srv
# (where the whiteout and opaque directory act), with the actions given.
write_facets() {  # FILE BINARY_ACTION NODE_ACTION OTHER_ACTION
  cat >"$1" <<EOF
facets:
  - facetId: os
    type: OS
    includeGlobs: ["/var/lib/dpkg/**"]
    quota: {maxChurnPercent: 0, maxChangedFiles: 0, onExceed: $4}
  - facetId: lang/node
    type: LangNode
    includeGlobs: ["**/node_modules/**", "**/package.json", "**/package-lock.json"]
    quota: {maxChurnPercent: 100, maxChangedFiles: 100, maxAddedFiles: 1, onExceed: $3}
  - facetId: binary
    type: Binary
    includeGlobs: ["/usr/bin/*", "/usr/lib/**/*.so*"]
    quota: {maxChurnPercent: 100, maxChangedFiles: 2, onExceed: $2}
  - facetId: config
    type: Config
    includeGlobs: ["/etc/**"]
    quota: {maxChurnPercent: 100, maxChangedFiles: 10, onExceed: Warn}
  - facetId: custom/data
    type: Custom
    includeGlobs: ["/opt/**", "/srv/**"]
    quota: {maxChurnPercent: 100, maxChangedFiles: 10, maxAddedFiles: 10, maxRemovedFiles: 10, onExceed: Block}
EOF
}

paths_of() {  # JSON FACET LIST -> "p1 p2"
  jq -r --arg facet "$2" --arg list "$3" \
    '.facets[] | select(.facetId == $facet) | [.[$list][].path] | join(" ")' "$1"
}

cause_of() {  # JSON FACET LIST PATH
  jq -r --arg facet "$2" --arg list "$3" --arg path "$4" \
    '.facets[] | select(.facetId == $facet) | .[$list][] | select(.path == $path) | .cause' "$1"
}

case_drift() {
  write_facets warn.yaml Warn Warn Warn
  write_facets block.yaml Block Warn Warn
  write_facets vex.yaml Warn RequireVex Warn
  write_facets both.yaml Block RequireVex Warn
  local base="oci:$IMAGES/oci:base" changed="docker-archive:$IMAGES/changed.tar"

  run 0 warn drift "$base" "$changed" --facets-file warn.yaml --format json
  run 2 block drift "$base" "$changed" --facets-file block.yaml
  run 3 vex drift "$base" "$changed" --facets-file vex.yaml
  run 2 both drift "$base" "$changed" --facets-file both.yaml --format json
  equal "$(jq -r .action both.out)" "Block" "strictest action: Block beats RequireVex"
  equal "$(jq -r .exitCode both.out)" "2" "json exit code"
  equal "$(jq -r .action warn.out)" "Warn" "Warn only"
  contains block.out "action: Block (exit 2)"
  contains block.out "EXCEEDED (Block)"
  contains vex.out "action: RequireVex (exit 3)"
  contains vex.out "lang/node: "

  # The drift sets, from the fixture's layers.
  local json=warn.out
  equal "$(paths_of $json os modified)" "/var/lib/dpkg/status" "os modified"
  equal "$(cause_of $json os modified /var/lib/dpkg/status)" "SecurityPatch" "dpkg status cause"
  jq -r '.facets[] | select(.facetId == "os") | .modified[0].detail' $json >detail.txt
  contains detail.txt "openssl 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u1"
  contains detail.txt "+curl 7.88.1-10+deb12u8"
  equal "$(paths_of $json lang/node added)" \
    "/app/node_modules/is-odd/index.js /app/node_modules/is-odd/package.json" "lang/node added"
  equal "$(paths_of $json lang/node modified)" "/app/package-lock.json /app/package.json" \
    "lang/node modified"
  equal "$(cause_of $json lang/node modified /app/package-lock.json)" "NewDependency" "lockfile cause"
  equal "$(paths_of $json binary added)" "/usr/bin/tool-alias /usr/bin/tool-link" "binary added"
  equal "$(paths_of $json binary modified)" "/usr/bin/tool" "binary modified"
  equal "$(cause_of $json binary modified /usr/bin/tool)" "BinaryRebuild" "binary cause"
  equal "$(paths_of $json config modified)" "/etc/app/app.conf" "config modified"
  equal "$(cause_of $json config modified /etc/app/app.conf)" "ConfigChange" "config cause"
  equal "$(paths_of $json custom/data removed)" "/opt/old.txt /srv/data/one.txt /srv/data/two.txt" \
    "whiteout and opaque directory removals"
  equal "$(paths_of $json custom/data added)" "/srv/data/three.txt" "opaque directory's new file"
  equal "$(paths_of $json config added)$(paths_of $json config removed)" "" "config: only modified"
  # Hashes in modified entries are the fixture's bytes.
  equal "$(jq -r '.facets[] | select(.facetId == "config") | .modified[0] | .oldHash + " " + .newHash' $json)" \
    "sha256:$(sha256_of_text $'listen = 8080\nlog_level = info\n') sha256:$(sha256_of_text $'listen = 9090\nlog_level = debug\n')" \
    "config old/new hashes"
  # Score and verdict: binary has 3 changes of 2 files -> churn 150%, over maxChangedFiles 2.
  equal "$(jq -r '.facets[] | select(.facetId == "binary") | .score | "\(.totalChanges) \(.churnPercent)"' $json)" \
    "3 150" "binary score"
  equal "$(jq -r '.facets[] | select(.facetId == "binary") | [.quotaVerdict.violations[].quotaField] | sort | join(" ")' $json)" \
    "MaxChangedFiles MaxChurnPercent" "binary violations (3 changes > 2; 150% > 100%)"
  equal "$(jq -r '.facets[] | select(.facetId == "config") | .quotaVerdict.passed' $json)" "true" "config passes"
  equal "$(jq -r '.facets[] | select(.facetId == "binary") | .quota.source' $json)" "facets file" "quota source"

  # No drift between an image and itself, in any form: exit 0, nothing changed.
  run 0 same drift "oci:$IMAGES/oci:changed" "dir:$IMAGES/changed-rootfs" --format json
  equal "$(jq '[.facets[].score.totalChanges] | add' same.out)" "0" "same image, no drift"
  equal "$(jq -r .action same.out)" "null" "no action without violations"

  # Table output: one row per facet with counts.
  run 0 table drift "$base" "$changed" --facets-file warn.yaml
  contains table.out "binary"
  contains table.out "+ /usr/bin/tool-link"
  contains table.out "~ /etc/app/app.conf  ConfigChange"
  contains table.out "- /opt/old.txt"
}

# Seals files as drift sides: verified with --pub, else roots only (and said so).
case_drift_seals() {
  keys
  write_facets block.yaml Block Warn Warn
  run 0 seal-base seal "oci:$IMAGES/oci:base" --key signer.pem --facets-file block.yaml --output base.json
  run 0 seal-changed seal "docker-archive:$IMAGES/changed.tar" --key signer.pem \
    --facets-file block.yaml --output changed.json
  run 2 seals-verified drift base.json changed.json --pub signer.pub.pem --format json
  equal "$(jq -r .baseline.signaturesVerified seals-verified.out)" "true" "verified with --pub"
  equal "$(jq -r '.facets[] | select(.facetId == "binary") | .baselineSealId' seals-verified.out)" \
    "$(payload_of base.json binary | jq -r .sealId)" "baseline seal id"
  equal "$(jq -r '.facets[] | select(.facetId == "binary") | .quota.source' seals-verified.out)" \
    "baseline seal" "quota source without --facets-file"
  # Without a facets file, quotas come from the baseline seal.
  run 2 seals-unverified drift base.json changed.json
  contains seals-unverified.out "signatures NOT verified"
  contains seals-unverified.out "EXCEEDED (Block)"
  run 1 seals-wrong-key drift base.json changed.json --pub other.pub.pem
  contains seals-wrong-key.err "baseline"
  # Without package databases, the dpkg change is a PackageUpdate.
  run 2 seals-json drift base.json changed.json --format json
  equal "$(cause_of seals-json.out os modified /var/lib/dpkg/status)" "PackageUpdate" \
    "cause without the database content"
  # The same drift sets as from the images.
  run 2 images-json drift "oci:$IMAGES/oci:base" "docker-archive:$IMAGES/changed.tar" \
    --facets-file block.yaml --format json
  for list in added removed modified; do
    equal "$(jq -c "[.facets[] | {facetId, p: [.$list[].path]}]" seals-json.out)" \
      "$(jq -c "[.facets[] | {facetId, p: [.$list[].path]}]" images-json.out)" "$list from seals vs images"
  done
  # A seals file against an image: the image is cut into the seals' facets.
  run 0 seal-os seal "oci:$IMAGES/oci:base" --key signer.pem --facet os --output os.json
  run 0 mixed drift os.json "oci:$IMAGES/oci:changed" --format json
  equal "$(jq -r '[.facets[].facetId] | join(" ")' mixed.out)" "os" "facets compared"
}

case_vex() {
  keys
  run 0 seal-base seal "oci:$IMAGES/oci:base" --key signer.pem --output base.json
  run 0 vex vex gen --from-drift base.json "docker-archive:$IMAGES/changed.tar" --author e2e-tests \
    --output vex.json
  local digest
  run 0 changed-seal seal "docker-archive:$IMAGES/changed.tar" --key signer.pem --output changed.json
  digest=$(jq -r .imageDigest changed.json)
  equal "$(jq -r '."@context"' vex.json)" "https://openvex.dev/ns/v0.2.0" "@context"
  equal "$(jq -r .author vex.json)" "e2e-tests" "author"
  [[ "$(jq -r '."@id"' vex.json)" =~ ^https://stellaops.io/vex/ ]] || fail "@id"
  # One statement per drifted facet (os, lang/node, binary, config; not the empty ones).
  equal "$(jq -r '[.statements[].vulnerability.name] | sort | join(" ")' vex.json)" \
    "stella:facet-drift/binary stella:facet-drift/config stella:facet-drift/lang/node stella:facet-drift/os" \
    "statements"
  equal "$(jq -r '[.statements[].status] | unique | join(" ")' vex.json)" "under_investigation" "status"
  equal "$(jq -r '[.statements[].products[]."@id"] | unique | join(" ")' vex.json)" \
    "pkg:oci/app@sha256%3A${digest#sha256:}?repository_url=docker.io/zastava/app&tag=changed" \
    "product purl from the archive's RepoTags"
  equal "$(jq -r '[.statements[] | has("justification")] | unique | join(" ")' vex.json)" "false" \
    "justification left for a person"
  # --status and --image-name; to stdout.
  run 0 vex-fixed vex gen --from-drift "oci:$IMAGES/oci:base" "oci:$IMAGES/oci:changed" --status fixed \
    --image-name registry.example.com/team/app:2.0
  local oci_digest
  oci_digest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "changed") | .digest' \
    "$IMAGES/oci/index.json")
  equal "$(jq -r '[.statements[].status] | unique | join(" ")' vex-fixed.out)" "fixed" "--status"
  jq -r '.statements[0].products[0]."@id"' vex-fixed.out >purl.txt
  contains purl.txt "pkg:oci/app@sha256%3A${oci_digest#sha256:}"
  contains purl.txt "repository_url=registry.example.com/team"
  # not_affected only with a person's justification.
  run 1 vex-not-affected vex gen --from-drift base.json "docker-archive:$IMAGES/changed.tar" \
    --status not_affected
  contains vex-not-affected.err "justification"
  run 0 vex-justified vex gen --from-drift base.json "docker-archive:$IMAGES/changed.tar" \
    --status not_affected --justification component_not_present
  equal "$(jq -r '[.statements[] | .status + " " + .justification] | unique | join(",")' vex-justified.out)" \
    "not_affected component_not_present" "not_affected with its justification"
  # Errors: a bad status, a rootfs with no name or digest.
  run 64 vex-bad-status vex gen --from-drift base.json "oci:$IMAGES/oci:changed" --status maybe
  run 1 vex-rootfs vex gen --from-drift base.json "dir:$IMAGES/changed-rootfs"
  contains vex-rootfs.err "--image-name"
}

# Unreadable images, bad keys and bad arguments: a message and an exit code.
case_errors() {
  keys
  local size
  size=$(stat -c %s "$IMAGES/changed.tar")
  head -c $((size * 2 / 3)) "$IMAGES/changed.tar" >truncated.tar
  run 1 truncated seal "docker-archive:$WORK/truncated.tar" --key signer.pem --output out.json
  contains truncated.err "truncated.tar"
  contains truncated.err "truncated"
  [ ! -e out.json ] || fail "a seals file was written for an unreadable image"
  run 1 truncated-drift drift "oci:$IMAGES/oci:base" "docker-archive:$WORK/truncated.tar"
  contains truncated-drift.err "current"

  # A layer blob with a flipped byte: the digest mismatch names the layer.
  cp -r "$IMAGES/oci" corrupt
  local manifest layer
  manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "base") | .digest' corrupt/index.json)
  layer=$(jq -r '.layers[0].digest' "corrupt/blobs/sha256/${manifest#sha256:}")
  local blob="corrupt/blobs/sha256/${layer#sha256:}"
  chmod u+w "$blob"
  printf '\x00' | dd of="$blob" bs=1 seek=$(($(stat -c %s "$blob") - 20)) conv=notrunc 2>/dev/null
  run 1 corrupt seal "oci:$WORK/corrupt:base" --key signer.pem --output out.json
  contains corrupt.err "${layer:0:19}"

  run 1 missing seal "oci:$WORK/nowhere:base" --key signer.pem --output out.json
  contains missing.err "nowhere"
  run 1 no-tag seal "oci:$IMAGES/oci:nosuchtag" --key signer.pem --output out.json
  contains no-tag.err "nosuchtag"
  printf -- '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' >bad.pem
  run 1 bad-key seal "oci:$IMAGES/oci:base" --key bad.pem --output out.json
  contains bad-key.err "bad.pem"
  run 1 no-key-file seal "oci:$IMAGES/oci:base" --key absent.pem --output out.json
  contains no-key-file.err "absent.pem"
  run 64 unknown-facet seal "oci:$IMAGES/oci:base" --key signer.pem --facet nope --output out.json
  contains unknown-facet.err "unknown facet 'nope'"
  run 64 bad-spec seal "registry.example.com/app:1" --key signer.pem --output out.json
  run 64 no-output seal "oci:$IMAGES/oci:base" --key signer.pem
  contains no-output.err "--output is required"
  run 64 bad-format drift a.json b.json --format yaml
  run 1 bad-facets drift "oci:$IMAGES/oci:base" "oci:$IMAGES/oci:changed" --facets-file absent.yaml
  contains bad-facets.err "absent.yaml"
  printf '{"sealsVersion":"v1","imageRef":"x","imageDigest":"","seals":[' >broken.json
  run 1 broken-seals seal verify broken.json --pub signer.pub.pem
  contains broken-seals.err "broken.json"
}

"case_${CASE//-/_}"
echo "PASS [$CASE]"
