#!/usr/bin/env bash
# End-to-end tests of `stella prov evaluate | get | export | import |
# invalidate` on embedded stores (and, in case `tiered`, on a real PostgreSQL
# and Redis started here on free ports).
#
# usage: prov_e2e.sh CASE
#   env STELLA    the stella binary
#       TESTDATA  tests/data (the provcache documents and tests/data/prov)
#
# Expected values come from the input documents and the documented formats
# (docs/provcache-bundle.md, src/provcache/*.hpp), recomputed here with
# sha256sum, jq and python3's hashlib, never from stella's output pasted back.
set -euo pipefail
E2E_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/e2e_lib.sh"

: "${STELLA:?set STELLA to the stella binary}"
: "${TESTDATA:?set TESTDATA to tests/data}"
CASE=${1:?usage: prov_e2e.sh CASE}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stella-prov-e2e.XXXXXX")
cleanup() {
  local status=$?
  if [ -n "${PG_DATA:-}" ] && [ -d "$PG_DATA" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "${REDIS_PID:-}" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
  if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
cd "$WORK"

PROV=$TESTDATA/provcache
IMAGE=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
POLICY=sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
OTHER_POLICY=sha256:a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3
SIGNER=sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae

# fail, run, contains, matches, equal
source "$E2E_LIB"

keys() {
  run 0 keygen keygen --type ed25519 --out signer.pem
  run 0 keygen-other keygen --type ecdsa-p256 --out other.pem
}

# A CycloneDX 1.6 SBOM of the payments image with COUNT library components,
# big enough (COUNT 2000: ~450 KB) for several 64 KiB evidence chunks.
big_sbom() {  # COUNT OUT
  jq --argjson n "$1" '.components += [range($n) as $i | {
      "bom-ref": "pkg:npm/dep-\($i)@1.\($i % 7).\($i % 13)", "type": "library",
      "name": "dep-\($i)", "version": "1.\($i % 7).\($i % 13)",
      "purl": "pkg:npm/dep-\($i)@1.\($i % 7).\($i % 13)",
      "licenses": [{"license": {"id": "MIT"}}],
      "hashes": [{"alg": "SHA-256", "content": ("\($i)" | @base64 | ascii_downcase)}]}]' \
    "$PROV/sbom_cdx16.json" >"$2"
}

# evaluate STORE_DIR NAME [ARGS...]: `prov evaluate` of the payments image
# with the test documents; NAME.out holds the entry.
evaluate() {
  local store=$1 name=$2
  shift 2
  run 0 "$name" prov evaluate --image "$IMAGE" --policy-hash "$POLICY" --signer-keyid "$SIGNER" \
    --feed-epoch 2026-11-22 --store-dir "$store" "$@"
}

veri_key_of() { jq -r .decision.veriKey "$1"; }

# The evidence `evaluate` chunks, rebuilt from the documents:
# canonical JSON of {"findings":[...],"sbom":...,"vex":[...]}.
expected_evidence() {  # SBOM VEX FINDINGS OUT
  jq -n --slurpfile sbom "$1" --slurpfile vex "$2" --slurpfile findings "$3" \
    '{findings: $findings, sbom: $sbom[0], vex: $vex}' >evidence.json
  "$STELLA" canon evidence.json >"$4"
}

# The RFC 6962 Merkle root of FILE cut into 64 KiB leaves, "sha256:<hex>".
merkle_root_of() {
  python3 - "$1" <<'EOF'
import hashlib, sys
data = open(sys.argv[1], "rb").read()
nodes = [hashlib.sha256(b"\0" + data[i:i + 65536]).digest() for i in range(0, len(data), 65536)]
def mth(n):
    if len(n) == 1: return n[0]
    k = 1
    while k * 2 < len(n): k *= 2
    return hashlib.sha256(b"\1" + mth(n[:k]) + mth(n[k:])).digest()
print("sha256:" + mth(nodes).hex())
EOF
}

# A store must not hold KEY.
misses() {  # STORE_DIR KEY WHAT
  run 1 "miss-$RANDOM" prov get --verikey "$2" --store-dir "$1"
}

# ---------------------------------------------------------------- cases

# evaluate puts the entry and the evidence into the store; every field of the
# entry is checked against the inputs and the documented formats.
case_evaluate() {
  evaluate store allow --sbom "$PROV/sbom_cdx16.json" --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json" --findings "$PROV/findings_sarif.json" \
    --policy-updated 2026-11-01T00:00:00Z --ttl 7200
  local entry=allow.out
  equal "$(jq -r .sourceHash $entry)" "$IMAGE" "sourceHash"
  equal "$(jq -r .policyHash $entry)" "$POLICY" "policyHash"
  equal "$(jq -r .feedEpoch $entry)" "2026-11-22" "feedEpoch"
  equal "$(jq -r .hitCount $entry)" "0" "hitCount"
  # The signer set hash: SHA-256 of field(tag) || field(keyid), u32 big-endian lengths.
  local signer_set
  signer_set=$(python3 -c '
import hashlib, struct, sys
f = lambda s: struct.pack(">I", len(s)) + s
print("sha256:" + hashlib.sha256(f(b"zastava.provcache.signer-set.v1") + f(sys.argv[1].encode())).hexdigest())' "$SIGNER")
  equal "$(jq -r .signerSetHash $entry)" "$signer_set" "signerSetHash"
  # CVE-2024-9143 (CRITICAL, openssl) is waived by the VEX's justified
  # not_affected; the SARIF's lodash finding is HIGH: allow.
  equal "$(jq -r .verdict.verdict $entry)" "allow" "verdict"
  equal "$(jq -r .verdict.criticalAffected $entry)" "0" "criticalAffected"
  contains allow.err "verdict: allow"
  # (The list and the SARIF name openssl with and without purl qualifiers: two findings.)
  equal "$(jq -c '[.verdict.findings[] | select(.vulnerabilityId == "CVE-2024-9143") | .waived]' \
    $entry)" "[true,true]" "the VEX waivers"
  # verdictHash is SHA-256 of the canonical verdict document.
  jq .verdict $entry | "$STELLA" canon - >verdict.json
  equal "$(jq -r .decision.verdictHash $entry)" "sha256:$(sha256sum <verdict.json | cut -d' ' -f1)" \
    "verdictHash"
  # TTL: expiresAt - createdAt = --ttl.
  local created expires
  created=$(date -u -d "$(jq -r .decision.createdAt $entry)" +%s)
  expires=$(date -u -d "$(jq -r .decision.expiresAt $entry)" +%s)
  equal "$((expires - created))" "7200" "TTL"
  local now
  now=$(date -u +%s)
  [ $((now - created)) -ge 0 ] && [ $((now - created)) -lt 120 ] || fail "createdAt is not now"
  equal "$(jq -c .decision.replaySeed.feedIds $entry)" '["findings_list","grype","osv-scanner"]' \
    "feed ids: the list file's stem and the SARIF tools"
  # Trust: no reachability (0), no verified signers (0), so at most 20+20+15.
  local score
  score=$(jq -r .decision.trustScore $entry)
  [ "$score" -gt 0 ] && [ "$score" -le 55 ] || fail "trust score $score outside 1..55"
  contains allow.err "trust reachability: 0.00/25.00"
  contains allow.err "trust signer_trust: 0.00/20.00"
  contains allow.err "trust policy_freshness: 15.00/15.00"

  # proofRoot: the Merkle root of the evidence rebuilt from the documents.
  jq -s . "$PROV/findings_list.json" "$PROV/findings_sarif.json" >findings-all.json
  jq -n --slurpfile sbom "$PROV/sbom_cdx16.json" --slurpfile vex "$PROV/openvex_v020.json" \
    --slurpfile findings findings-all.json '{findings: $findings[0], sbom: $sbom[0], vex: $vex}' \
    >evidence.json
  "$STELLA" canon evidence.json >evidence.canon
  equal "$(jq -r .decision.proofRoot $entry)" "$(merkle_root_of evidence.canon)" "proofRoot"

  # get: a hit from the embedded store, the same entry.
  local key
  key=$(veri_key_of $entry)
  run 0 get prov get --verikey "$key" --store-dir store
  equal "$(jq -r .source get.out)" "embedded" "lookup source"
  equal "$(jq -c '.entry | del(.hitCount)' get.out)" "$(jq -c 'del(.hitCount)' $entry)" "stored entry"

  # The same inputs in the same hour: the same VeriKey. Without the VEX: a
  # different VeriKey and a denial naming the CVE.
  evaluate store again --sbom "$PROV/sbom_cdx16.json" --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json" --findings "$PROV/findings_sarif.json"
  equal "$(veri_key_of again.out)" "$key" "VeriKey of the same inputs"
  evaluate store deny --sbom "$PROV/sbom_cdx16.json" --findings "$PROV/findings_list.json"
  [ "$(veri_key_of deny.out)" != "$key" ] || fail "the VEX set is not part of the VeriKey"
  equal "$(jq -r .verdict.verdict deny.out)" "deny" "verdict without VEX"
  contains deny.err "CVE-2024-9143"
  run 1 miss prov get --verikey "sha256:$(printf x | sha256sum | cut -d' ' -f1)" --store-dir store
  contains miss.err "miss"
}

# export at each density (signed and unsigned), import into a fresh store,
# and compare what comes out.
case_roundtrip() {
  keys
  big_sbom 2000 big.json
  evaluate store big --sbom big.json --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json"
  local key total chunks
  key=$(veri_key_of big.out)
  expected_evidence big.json "$PROV/openvex_v020.json" "$PROV/findings_list.json" evidence.canon
  total=$(stat -c %s evidence.canon)
  chunks=$(((total + 65535) / 65536))
  [ "$chunks" -ge 5 ] || fail "the big SBOM makes only $chunks chunk(s)"
  equal "$(jq -r .decision.proofRoot big.out)" "$(merkle_root_of evidence.canon)" "proofRoot"

  local density expected_count
  for density in lite standard strict; do
    case $density in
      lite) expected_count=0 ;;
      standard) expected_count=3 ;;
      strict) expected_count=$chunks ;;
    esac
    run 0 "export-$density" prov export --verikey "$key" --density "$density" \
      --output "$density.bundle" --store-dir store
    run 0 "export-$density-signed" prov export --verikey "$key" --density "$density" --sign \
      --key signer.pem --output "$density.signed" --store-dir store
    equal "$(jq -r .bundleVersion "$density.bundle")" "zastava.provcache.bundle/v1" "version"
    equal "$(jq -r .density "$density.bundle")" "$density" "density"
    equal "$(jq '.evidence.chunks | length' "$density.bundle")" "$expected_count" \
      "$density chunk count"
    equal "$(jq '.evidence.manifest.chunkCount' "$density.bundle")" "$chunks" "manifest chunkCount"
    equal "$(jq '.evidence.manifest.totalSize' "$density.bundle")" "$total" "manifest totalSize"
    equal "$(jq -r .payloadType "$density.signed")" \
      "application/vnd.stellaops.provcache.bundle+json" "signed payload type"
    equal "$(jq -r '.payload | @base64d' "$density.signed")" "$(cat "$density.bundle")" \
      "signed payload is the unsigned bundle"
    # Every carried chunk is its slice of the evidence.
    local i=0
    while [ $i -lt "$expected_count" ]; do
      equal "$(jq -r ".evidence.chunks[$i].data" "$density.bundle" | base64 -d | sha256sum)" \
        "$(dd if=evidence.canon bs=65536 skip=$i count=1 2>/dev/null | sha256sum)" \
        "$density chunk $i bytes"
      i=$((i + 1))
    done

    for form in bundle signed; do
      local fresh="fresh-$density-$form"
      run 0 "import-$density-$form" prov import --input "$density.$form" --pub signer.pub.pem \
        --store-dir "$fresh"
      run 0 "get-$density-$form" prov get --verikey "$key" --store-dir "$fresh"
      equal "$(jq -c '.entry | del(.hitCount)' "get-$density-$form.out")" \
        "$(jq -c 'del(.hitCount)' big.out)" "$density/$form: imported entry"
      if [ "$density" = strict ]; then
        contains "import-$density-$form.out" "evidence stored ($chunks chunk(s))"
      else
        contains "import-$density-$form.out" "evidence not stored"
      fi
    done
  done
  # The size the seed promises for lite (~2 KB) and standard (~200 KB).
  [ "$(stat -c %s lite.bundle)" -lt 3000 ] || fail "lite bundle is $(stat -c %s lite.bundle) bytes"
  [ "$(stat -c %s standard.bundle)" -lt 300000 ] || fail "standard bundle too large"

  # A strict import holds the whole evidence: exports from it are identical
  # (ed25519 signatures are deterministic, so the signed files are too).
  for density in lite standard strict; do
    run 0 "re-export-$density" prov export --verikey "$key" --density "$density" \
      --output "again-$density.bundle" --store-dir fresh-strict-bundle
    cmp -s "$density.bundle" "again-$density.bundle" || fail "re-exported $density bundle differs"
    run 0 "re-export-$density-signed" prov export --verikey "$key" --density "$density" --sign \
      --key signer.pem --output "again-$density.signed" --store-dir fresh-strict-signed
    cmp -s "$density.signed" "again-$density.signed" || fail "re-exported signed $density differs"
  done
  # A lite import has no evidence to export.
  run 1 re-export-lite prov export --verikey "$key" --density lite --store-dir fresh-lite-bundle
  contains re-export-lite.err "no evidence"
  # standard --chunks N; stdout when there is no --output.
  run 0 export-five prov export --verikey "$key" --density standard --chunks 5 --store-dir store
  equal "$(jq '.evidence.chunks | length' export-five.out)" "5" "--chunks 5"
  # A signature from two keys, threshold 2.
  run 0 export-two prov export --verikey "$key" --density lite --sign --key signer.pem \
    --key other.pem --output two.signed --store-dir store
  run 0 import-two prov import --input two.signed --pub signer.pub.pem --pub other.pub.pem \
    --threshold 2 --require-signature --store-dir fresh-two
  contains import-two.out "signed by 2 trusted key(s)"
}

# Each tamper fails the import with its message, and the fresh store stays empty.
case_tamper() {
  keys
  big_sbom 1000 big.json
  evaluate store big --sbom big.json --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json"
  local key
  key=$(veri_key_of big.out)
  run 0 strict prov export --verikey "$key" --density strict --output strict.bundle --store-dir store
  run 0 signed prov export --verikey "$key" --density lite --sign --key signer.pem \
    --output lite.signed --store-dir store
  [ "$(jq '.evidence.chunks | length' strict.bundle)" -ge 3 ] || fail "need 3 chunks"

  refused() {  # NAME FILE MESSAGE [IMPORT ARGS...]
    local name=$1 file=$2 message=$3
    shift 3
    run 1 "$name" prov import --input "$file" --store-dir "fresh-$name" "$@"
    contains "$name.err" "$message"
    [ ! -e "fresh-$name" ] || fail "$name: the refused import created the store"
    run 1 "$name-get" prov get --verikey "$key" --store-dir "fresh-$name"
  }

  # A flipped byte in chunk 1.
  jq -r '.evidence.chunks[1].data' strict.bundle | base64 -d >chunk1
  printf '\x01' | dd of=chunk1 bs=1 seek=100 conv=notrunc 2>/dev/null
  jq --arg data "$(base64 -w0 chunk1)" '.evidence.chunks[1].data = $data' strict.bundle >flipped.json
  refused flipped flipped.json "chunk 1: hash mismatch"
  # Two chunks' bytes swapped.
  jq '.evidence.chunks[0].data as $a | .evidence.chunks[0].data = .evidence.chunks[-1].data
      | .evidence.chunks[-1].data = $a' strict.bundle >swapped.json
  refused swapped swapped.json "chunk 0: size mismatch"
  jq '.evidence.chunks[0].data as $a | .evidence.chunks[0].data = .evidence.chunks[1].data
      | .evidence.chunks[1].data = $a' strict.bundle >swapped-same-size.json
  refused swapped-same-size swapped-same-size.json "chunk 0: hash mismatch"
  # A dropped chunk in a strict bundle.
  jq 'del(.evidence.chunks[1])' strict.bundle >dropped.json
  refused dropped dropped.json "strict bundle: chunk 1 is missing"
  # A changed verdict (allow -> deny): the verdict no longer hashes to verdictHash.
  jq '.entry.verdict.verdict = "deny"' strict.bundle >verdict.json
  refused verdict verdict.json "not the decision's verdictHash"
  # A changed trust score: the verdict hash still holds, the signature does not.
  jq '.payload |= (@base64d | fromjson | .entry.decision.trustScore = 99 | tojson | @base64)' \
    lite.signed >score.signed
  refused score score.signed "signature:" --pub signer.pub.pem
  # The wrong key.
  refused wrong-key lite.signed "signature:" --pub other.pub.pem
  # A signed bundle with no key to check it; an unsigned one where a signature is required.
  refused no-pub lite.signed "signature: the bundle is signed, but no trusted keys"
  refused unsigned strict.bundle "signature: the bundle is not signed" --require-signature \
    --pub signer.pub.pem
  # A manifest row that does not build the root.
  jq '.evidence.manifest.chunks[0].hash = "sha256:'"$(printf x | sha256sum | cut -d' ' -f1)"'"' \
    strict.bundle >manifest.json
  refused manifest manifest.json "proofRoot mismatch"
  # A truncated file.
  head -c $(($(stat -c %s strict.bundle) / 2)) strict.bundle >truncated.json
  refused truncated truncated.json "bundle"
  head -c 300 lite.signed >truncated.signed
  refused truncated-signed truncated.signed "bundle" --pub signer.pub.pem

  # And the untampered bundles import.
  run 0 good prov import --input strict.bundle --store-dir fresh-good
  run 0 good-get prov get --verikey "$key" --store-dir fresh-good
}

# invalidate by each kind: the entry is gone and the revocation record printed.
case_invalidate() {
  local store=store
  evaluate $store a --sbom "$PROV/sbom_cdx16.json" --findings "$PROV/findings_list.json"
  evaluate $store b --sbom "$PROV/sbom_cdx16.json" --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json"
  evaluate $store c --sbom "$PROV/sbom_cdx16.json" --vex "$PROV/openvex_legacy.json" \
    --findings "$PROV/findings_list.json" --feed-epoch 2026-10-01
  local a b c
  a=$(veri_key_of a.out)
  b=$(veri_key_of b.out)
  c=$(veri_key_of c.out)
  [ "$a" != "$b" ] && [ "$b" != "$c" ] && [ "$a" != "$c" ] || fail "VeriKeys collide"

  revoked() {  # NAME TYPE TARGET COUNT
    equal "$(jq -r .revocationType "$1.out")" "$2" "$1: revocationType"
    equal "$(jq -r .targetHash "$1.out")" "$3" "$1: targetHash"
    equal "$(jq -r .entriesAffected "$1.out")" "$4" "$1: entriesAffected"
    [[ "$(jq -r .revocationId "$1.out")" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
      fail "$1: revocationId is not a UUID v4"
  }

  # feed_epoch: only c (2026-10-01) is older than 2026-11-01.
  run 0 by-epoch prov invalidate --by feed_epoch --value 2026-11-01 --reason feed-refresh \
    --actor e2e --store-dir $store
  revoked by-epoch feed_epoch 2026-11-01 1
  equal "$(jq -r .actor by-epoch.out)" "e2e" "actor"
  equal "$(jq -r .reason by-epoch.out)" "feed-refresh" "reason"
  misses $store "$c"
  run 0 still-a prov get --verikey "$a" --store-dir $store

  # signer_set_hash: a and b share the signer set.
  local signer_set
  signer_set=$(jq -r .signerSetHash a.out)
  run 0 by-signer prov invalidate --by signer_set_hash --value "$signer_set" \
    --reason key-compromise --store-dir $store
  revoked by-signer signer_set_hash "$signer_set" 2
  equal "$(jq -r .actor by-signer.out)" "stella-cli:${USER:-unknown}@$(hostname)" "default actor"
  misses $store "$a"
  misses $store "$b"

  # policy_hash: only the entry under that policy.
  evaluate $store d --sbom "$PROV/sbom_cdx16.json" --findings "$PROV/findings_list.json"
  run 0 e prov evaluate --image "$IMAGE" --policy-hash "$OTHER_POLICY" --sbom "$PROV/sbom_cdx16.json" \
    --store-dir $store
  run 0 by-policy prov invalidate --by policy_hash --value "$OTHER_POLICY" --reason policy-update \
    --store-dir $store
  revoked by-policy policy_hash "$OTHER_POLICY" 1
  misses $store "$(veri_key_of e.out)"
  run 0 still-d prov get --verikey "$(veri_key_of d.out)" --store-dir $store

  # expired: an entry evaluated two days ago with a one-hour TTL.
  evaluate $store old --sbom "$PROV/sbom_cdx16.json" --time "$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%SZ)" \
    --ttl 3600
  run 0 by-expired prov invalidate --by expired --reason ttl-sweep --store-dir $store
  revoked by-expired expired "" 1
  misses $store "$(veri_key_of old.out)"
  run 0 still-d-2 prov get --verikey "$(veri_key_of d.out)" --store-dir $store
  # Nothing matches: a record with 0 entries, exit 0.
  run 0 by-none prov invalidate --by policy_hash --value "$OTHER_POLICY" --reason again \
    --store-dir $store
  revoked by-none policy_hash "$OTHER_POLICY" 0

  # --result-file (a Job's /dev/termination-log): the same record, in a file;
  # d and f are the entries left under $POLICY.
  evaluate $store f --sbom "$PROV/sbom_cdx16.json" --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json"
  run 0 to-file prov invalidate --by policy_hash --value "$POLICY" --reason to-file \
    --actor zastava-operator --result-file termination-log --store-dir $store
  revoked to-file policy_hash "$POLICY" 2
  [ -f termination-log ] || fail "--result-file wrote no file"
  equal "$(cat termination-log)" "$(cat to-file.out)" "the result file holds the printed record"
  equal "$(jq -r .entriesAffected termination-log)" "2" "result file: entriesAffected"
  equal "$(jq -r .actor termination-log)" "zastava-operator" "result file: actor"
  misses $store "$(veri_key_of f.out)"
  # An existing file is overwritten, not appended to.
  run 0 to-file-again prov invalidate --by policy_hash --value "$POLICY" --reason again \
    --result-file termination-log --store-dir $store
  equal "$(jq -s length termination-log)" "1" "one record in the rewritten file"
  equal "$(jq -r .entriesAffected termination-log)" "0" "rewritten file: entriesAffected"
  # Kubernetes keeps 4 KiB of a termination message: a record that would be
  # longer (1000 control characters each escape to 6 bytes) loses its reason
  # and actor in the file, never its counts; stdout keeps everything.
  local long_text
  long_text=$(printf '\x01%.0s' $(seq 1000))
  run 0 to-file-long prov invalidate --by policy_hash --value "$POLICY" --reason "$long_text" \
    --actor "$long_text" --result-file long-log --store-dir $store
  [ "$(stat -c %s long-log)" -le 4096 ] || fail "result file is $(stat -c %s long-log) bytes"
  equal "$(jq -r .entriesAffected long-log)" "0" "long record: entriesAffected"
  equal "$(jq -r .targetHash long-log)" "$POLICY" "long record: targetHash kept"
  equal "$(jq -r .revocationId long-log)" "$(jq -r .revocationId to-file-long.out)" "long record: id"
  equal "$(jq -c 'has("reason"), has("actor")' long-log | tr '\n' ' ')" "false false " \
    "long record: reason and actor left out"
  equal "$(jq -r '.reason | length' to-file-long.out)" "1000" "stdout keeps the reason"
  # A file that cannot be written: the store was still invalidated, exit 1.
  run 1 to-file-bad prov invalidate --by policy_hash --value "$POLICY" --reason r \
    --result-file no-such-dir/log --store-dir $store
  contains to-file-bad.err "no-such-dir/log"
  contains to-file-bad.out "\"entriesAffected\":0"
}

# Command-line errors: exit 64 with a message saying what is wrong.
case_errors() {
  run 0 help prov --help
  for sub in evaluate export import invalidate get; do
    run 0 "help-$sub" prov "$sub" --help
    contains "help-$sub.out" "usage: stella prov $sub"
    contains "help-$sub.out" "--store-dir"
  done
  run 64 none prov
  run 64 unknown prov frobnicate
  contains unknown.err "unknown subcommand 'frobnicate'"
  run 64 no-store prov get --verikey sha256:00
  contains no-store.err "no store given"
  run 64 both-stores prov get --verikey k --store-dir s --postgres postgresql://x@127.0.0.1:1/db
  contains both-stores.err "--store-dir cannot be combined"
  run 64 valkey-alone prov get --verikey k --valkey redis://127.0.0.1:1
  contains valkey-alone.err "--postgres"
  run 64 bad-density prov export --verikey k --density full --store-dir s
  contains bad-density.err "unknown --density 'full'"
  run 64 chunks-lite prov export --verikey k --density lite --chunks 2 --store-dir s
  run 64 sign-no-key prov export --verikey k --density lite --sign --store-dir s
  run 64 bad-by prov invalidate --by everything --value x --reason r --store-dir s
  contains bad-by.err "unknown --by 'everything'"
  run 64 no-value prov invalidate --by policy_hash --reason r --store-dir s
  run 64 no-reason prov invalidate --by expired --store-dir s
  run 0 help-result-file prov invalidate --help
  contains help-result-file.out "--result-file PATH"
  run 64 bad-ttl prov evaluate --image "$IMAGE" --sbom x --policy-hash "$POLICY" --ttl -5 --store-dir s
  run 64 bad-time prov evaluate --image "$IMAGE" --sbom x --policy-hash "$POLICY" \
    --time yesterday --store-dir s
  run 64 lazy-no-backend prov import --input x --lazy-fetch --store-dir s
  contains lazy-no-backend.err "--backend"
  run 64 backend-http prov import --input x --lazy-fetch --backend http://127.0.0.1:1 --ca ca.pem \
    --store-dir s
  contains backend-http.err "https://"
  run 64 typo prov get --verikye k --store-dir s
  [ ! -e s ] || fail "a usage error created the store"
  run 1 bad-image prov evaluate --image sha256:xyz --sbom "$PROV/sbom_cdx16.json" \
    --policy-hash "$POLICY" --store-dir s
  contains bad-image.err "--image"
  run 1 no-sbom prov evaluate --image "$IMAGE" --sbom absent.json --policy-hash "$POLICY" --store-dir s
  contains no-sbom.err "absent.json"
  run 1 not-sbom prov evaluate --image "$IMAGE" --sbom "$PROV/openvex_v020.json" \
    --policy-hash "$POLICY" --store-dir s
  run 1 no-input prov import --input absent.bundle --store-dir s
  contains no-input.err "absent.bundle"
}

# import --lazy-fetch: a lite bundle completed from an HTTPS backend serving
# GET /v1/proofs/{proofRoot}/chunks/{index} (a small python3 server here,
# with a self-signed certificate and a bearer token), every chunk verified.
start_chunk_server() {  # CHUNK_DIR TOKEN
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout server.key -out server.crt \
    2>/dev/null || fail "openssl req failed"
  python3 - "$1" "$2" >server.log 2>&1 <<'PYTHON' &
import http.server, os, re, ssl, sys
root, token = sys.argv[1], sys.argv[2]
class Chunks(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        match = re.fullmatch(r"/v1/proofs/(sha256:[0-9a-f]{64})/chunks/([0-9]+)", self.path)
        path = match and os.path.join(root, match.group(1), match.group(2))
        if self.headers.get("Authorization") != "Bearer " + token:
            status, body = 401, b'{"error":{"code":401,"message":"unauthorized"}}'
        elif not path or not os.path.exists(path):
            status, body = 404, b'{"error":{"code":404,"message":"no such chunk"}}'
        else:
            status, body = 200, open(path, "rb").read()
        self.send_response(status)
        self.send_header("Content-Type",
                         "application/octet-stream" if status == 200 else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Chunks)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("server.crt", "server.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
open("port.tmp", "w").write(str(server.server_address[1]))
os.rename("port.tmp", "port")
server.serve_forever()
PYTHON
  SERVER_PID=$!
  wait_for 30 test -s port || fail "the chunk server did not start: $(cat server.log)"
  BACKEND="https://127.0.0.1:$(cat port)"
}

case_lazy() {
  big_sbom 1000 big.json
  evaluate store big --sbom big.json --vex "$PROV/openvex_v020.json" \
    --findings "$PROV/findings_list.json"
  local key root count i density
  key=$(veri_key_of big.out)
  root=$(jq -r .decision.proofRoot big.out)
  run 0 strict prov export --verikey "$key" --density strict --output strict.bundle --store-dir store
  run 0 lite prov export --verikey "$key" --density lite --output lite.bundle --store-dir store
  run 0 standard prov export --verikey "$key" --density standard --chunks 1 \
    --output standard.bundle --store-dir store
  count=$(jq '.evidence.chunks | length' strict.bundle)
  mkdir -p "chunks/$root"
  for ((i = 0; i < count; i++)); do
    jq -r ".evidence.chunks[$i].data" strict.bundle | base64 -d >"chunks/$root/$i"
  done
  printf 's3cret-token\n' >token
  start_chunk_server "$WORK/chunks" s3cret-token
  local lazy=(--lazy-fetch --backend "$BACKEND" --ca server.crt --token-file token)

  for density in lite standard; do
    run 0 "import-$density" prov import --input "$density.bundle" "${lazy[@]}" \
      --store-dir "fresh-$density"
    contains "import-$density.out" "evidence stored ($count chunk(s))"
    run 0 "again-$density" prov export --verikey "$key" --density strict \
      --output "again-$density.bundle" --store-dir "fresh-$density"
    cmp -s strict.bundle "again-$density.bundle" || fail "$density + lazy fetch != strict"
  done

  printf 'wrong\n' >wrong-token
  run 1 bad-token prov import --input lite.bundle --lazy-fetch --backend "$BACKEND" --ca server.crt \
    --token-file wrong-token --store-dir fresh-bad-token
  contains bad-token.err "answered 401"
  [ ! -e fresh-bad-token ] || fail "a failed lazy fetch created the store"
  # The backend is not trusted: a chunk it corrupts fails the import.
  printf '\x01' | dd of="chunks/$root/2" bs=1 seek=10 conv=notrunc 2>/dev/null
  run 1 bad-chunk prov import --input lite.bundle "${lazy[@]}" --store-dir fresh-bad-chunk
  contains bad-chunk.err "chunk 2: hash mismatch"
  [ ! -e fresh-bad-chunk ] || fail "a failed lazy fetch created the store"
  # A server whose certificate the CA file does not vouch for.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=other -keyout other.key -out other.crt 2>/dev/null
  run 1 bad-ca prov import --input lite.bundle --lazy-fetch --backend "$BACKEND" --ca other.crt \
    --store-dir fresh-bad-ca
  contains bad-ca.err "lazy fetch: $BACKEND"
  [ ! -e fresh-bad-ca ] || fail "a failed lazy fetch created the store"
}

# ------------------------------------------------ tiered: PostgreSQL + Redis

PG_BIN=/usr/lib/postgresql/15/bin

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Polls until CMD succeeds, up to SECONDS.
wait_for() {  # SECONDS CMD...
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

start_servers() {
  local redis_port pg_port
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no >redis.log 2>&1 &
  REDIS_PID=$!
  wait_for 30 redis-cli -p "$redis_port" ping || fail "redis-server did not start"
  VALKEY_URL="redis://127.0.0.1:$redis_port"

  pg_port=$(free_port)
  PG_DATA=$WORK/pgdata
  mkdir -p "$PG_DATA"
  [ "$(id -u)" != 0 ] || chown postgres "$WORK" "$PG_DATA"
  chmod 755 "$WORK"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U zastava --auth=trust >initdb.log 2>&1 ||
    fail "initdb failed: $(cat initdb.log)"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/log" -w -t 60 \
    -o "-p $pg_port -k $PG_DATA -c listen_addresses=127.0.0.1" start >/dev/null ||
    fail "PostgreSQL did not start"
  as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U zastava prov
  PG_URL="postgresql://zastava@127.0.0.1:$pg_port/prov"
  PG_PORT=$pg_port
  REDIS_PORT=$redis_port
}

# One value from the test database.
sql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U zastava -d prov -tAc "$1"; }

# One round trip through the tiered store: evaluate into PostgreSQL+Redis,
# export strict, import into a fresh embedded store and back into the tiered
# store after an invalidation.
case_tiered() {
  for tool in "$PG_BIN/initdb" redis-server redis-cli; do
    command -v "$tool" >/dev/null || fail "tiered: $tool is not installed"
  done
  start_servers
  keys
  local tiered=(--postgres "$PG_URL" --valkey "$VALKEY_URL")
  run 0 t-eval prov evaluate --image "$IMAGE" --policy-hash "$POLICY" --sbom "$PROV/sbom_cdx16.json" \
    --vex "$PROV/openvex_v020.json" --findings "$PROV/findings_list.json" "${tiered[@]}"
  local key
  key=$(veri_key_of t-eval.out)
  # Both servers hold it (the write-behind queue is flushed when stella exits).
  local proof_root
  proof_root=$(jq -r .decision.proofRoot t-eval.out)
  equal "$(sql "SELECT count(*) FROM provcache.provcache_items WHERE verikey = '$key'")" "1" \
    "PostgreSQL row"
  equal "$(sql "SELECT count(*) FROM provcache.prov_evidence_chunks WHERE proof_root = '$proof_root'")" \
    "1" "PostgreSQL evidence chunks"
  [ "$(redis-cli -p "$REDIS_PORT" --scan --pattern '*' | grep -cF "${key#sha256:}")" -ge 1 ] ||
    fail "Redis holds no key for $key"
  run 0 t-get prov get --verikey "$key" "${tiered[@]}"
  equal "$(jq -c '.entry | del(.hitCount)' t-get.out)" "$(jq -c 'del(.hitCount)' t-eval.out)" \
    "tiered entry"
  equal "$(jq -r .source t-get.out)" "valkey" "a fresh process finds it in Valkey"
  run 0 t-export prov export --verikey "$key" --density strict --sign --key signer.pem \
    --output t.signed "${tiered[@]}"
  run 0 t-import prov import --input t.signed --pub signer.pub.pem --require-signature \
    --store-dir fresh
  run 0 t-get-fresh prov get --verikey "$key" --store-dir fresh
  run 0 t-invalidate prov invalidate --by policy_hash --value "$POLICY" --reason e2e "${tiered[@]}"
  equal "$(jq -r .entriesAffected t-invalidate.out)" "1" "tiered invalidation"
  equal "$(sql "SELECT count(*) FROM provcache.provcache_items")" "0" "PostgreSQL row removed"
  equal "$(sql "SELECT revocation_type || ' ' || target_hash || ' ' || entries_affected FROM provcache.prov_revocations")" \
    "policy_hash $POLICY 1" "the revocation row"
  run 1 t-miss prov get --verikey "$key" "${tiered[@]}"
  run 0 t-reimport prov import --input t.signed --pub signer.pub.pem "${tiered[@]}"
  run 0 t-get-again prov get --verikey "$key" "${tiered[@]}"
  run 0 t-export-again prov export --verikey "$key" --density strict --sign --key signer.pem \
    --output again.signed "${tiered[@]}"
  cmp -s t.signed again.signed || fail "tiered re-export differs"
}

"case_${CASE//-/_}"
echo "PASS [$CASE]"
