'use strict';
// docs/policy-schema.json, validated by ajv (draft 2020-12, strict mode),
// against zastava's own policy parser (policy_probe, argv[2]):
//   - tests/data/policy/valid/* and webhook/default-policy.yaml: both accept;
//   - tests/data/policy/invalid/*: both reject;
//   - tests/data/policy/invalid-semantic/*: the parser rejects what a schema
//     cannot express (unique names, keys that parse, thresholds, ...) and the
//     schema accepts it: exactly the checks the schema's description lists;
//   - mutated copies of every valid document (an unknown field at each level,
//     a value out of range, a bad enum, a bad duration): both reject;
//   - each valid document re-serialized as JSON: both accept, and the parser
//     gives the same content and scope hashes as for the original.
// Hashes are checked independently: contentHash is the SHA-256 of npm
// canonicalize's RFC 8785 form of the document, and each scope's policyHash
// the SHA-256 of the canonical form of its effective scope document.

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const url = require('node:url');

const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

async function loadCanonicalize() {
  for (const dir of (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)) {
    const entry = path.join(dir, 'canonicalize', 'lib', 'canonicalize.js');
    if (fs.existsSync(entry)) return (await import(url.pathToFileURL(entry).href)).default;
  }
  throw new Error('npm canonicalize not found on NODE_PATH; run scripts/bootstrap.sh');
}

const probe = process.argv[2];
const sourceDir = process.env.ZASTAVA_SOURCE_DIR || path.resolve(__dirname, '../../..');
const dataDir = path.join(sourceDir, 'tests', 'data', 'policy');

function listDir(dir) {
  return fs.readdirSync(dir).sort().map((name) => path.join(dir, name));
}

function runProbe(files) {
  const out = childProcess.execFileSync(probe, files, {encoding: 'utf8', maxBuffer: 64 << 20});
  return JSON.parse(out);
}

function sha256(text) {
  return 'sha256:' + crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

let failures = 0;
let checks = 0;
function check(condition, message) {
  checks += 1;
  if (!condition) {
    failures += 1;
    console.error('FAIL: ' + message);
  }
}

function mutations(document) {
  const copy = () => JSON.parse(JSON.stringify(document));
  const out = [];
  const add = (label, mutate) => {
    const doc = copy();
    mutate(doc);
    out.push({label, doc});
  };
  add('unknown top-level field', (d) => { d.spec = {}; });
  add('unknown metadata field', (d) => { d.metadata.labels = {}; });
  add('unknown defaults field', (d) => { d.defaults = Object.assign({}, d.defaults, {requireSeals: true}); });
  add('minTrustScore 101', (d) => {
    d.defaults = Object.assign({}, d.defaults);
    d.defaults.provcache = Object.assign({}, d.defaults.provcache, {minTrustScore: 101});
  });
  add('onMiss Deny', (d) => {
    d.defaults = Object.assign({}, d.defaults);
    d.defaults.provcache = Object.assign({}, d.defaults.provcache, {onMiss: 'Deny'});
  });
  add('ttl 1d', (d) => {
    d.defaults = Object.assign({}, d.defaults);
    d.defaults.provcache = Object.assign({}, d.defaults.provcache, {ttl: '1d'});
  });
  add('mode enforce', (d) => { d.defaults = Object.assign({}, d.defaults, {mode: 'enforce'}); });
  add('churn 100.5', (d) => {
    d.defaults = Object.assign({}, d.defaults, {quotas: {os: {maxChurnPercent: 100.5}}});
  });
  add('apiVersion v1', (d) => { d.apiVersion = 'zastava.stellaops.io/v1'; });
  (document.scopes || []).forEach((scope, i) => {
    add(`scopes[${i}] unknown field`, (d) => { d.scopes[i].image = []; });
    add(`scopes[${i}] bad failurePolicy`, (d) => { d.scopes[i].failurePolicy = 'Open'; });
    add(`scopes[${i}] without name`, (d) => { delete d.scopes[i].name; });
  });
  return out;
}

async function main() {
  if (!probe) throw new Error('usage: policy_schema_interop.cjs POLICY_PROBE');
  const canonicalize = await loadCanonicalize();
  const schema = JSON.parse(fs.readFileSync(path.join(sourceDir, 'docs', 'policy-schema.json'), 'utf8'));
  const ajv = new Ajv2020({strict: true, allErrors: true});
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const schemaSays = (document) => {
    const ok = validate(document);
    return {ok, errors: ok ? '' : ajv.errorsText(validate.errors)};
  };

  const valid = listDir(path.join(dataDir, 'valid')).concat([path.join(sourceDir, 'webhook', 'default-policy.yaml')]);
  const invalid = listDir(path.join(dataDir, 'invalid'));
  const semantic = listDir(path.join(dataDir, 'invalid-semantic'));
  const results = runProbe(valid.concat(invalid, semantic));
  const byFile = new Map(results.map((r) => [r.file, r]));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zastava-policy-schema-'));
  try {
    for (const file of valid) {
      const ours = byFile.get(file);
      const theirs = schemaSays(ours.document);
      check(ours.ok, `${file}: our parser rejects a valid example: ${ours.error}`);
      check(theirs.ok, `${file}: the schema rejects a valid example: ${theirs.errors}`);
      if (!ours.ok) continue;
      check(ours.contentHash === sha256(canonicalize(ours.document)),
            `${file}: contentHash is not the SHA-256 of the RFC 8785 form`);
      for (const scope of ours.scopes) {
        check(scope.policyHash === sha256(canonicalize(JSON.parse(scope.effectiveJson))),
              `${file}: scope ${scope.name}: policyHash is not the SHA-256 of its canonical effective scope`);
        check(canonicalize(JSON.parse(scope.effectiveJson)) === scope.effectiveJson,
              `${file}: scope ${scope.name}: effectiveJson is not canonical`);
      }

      // The same document as JSON: same verdicts, same hashes.
      const asJson = path.join(tmp, path.basename(file) + '.reserialized.json');
      fs.writeFileSync(asJson, JSON.stringify(ours.document, null, 2));
      const [again] = runProbe([asJson]);
      check(again.ok && schemaSays(again.document).ok, `${file}: re-serialized as JSON, not accepted: ${again.error}`);
      check(again.contentHash === ours.contentHash, `${file}: JSON form has another contentHash`);
      check(JSON.stringify((again.scopes || []).map((s) => s.policyHash)) ===
                JSON.stringify(ours.scopes.map((s) => s.policyHash)),
            `${file}: JSON form has other scope hashes`);

      // Mutations both must reject.
      const mutated = mutations(ours.document).map(({label, doc}, i) => {
        const name = path.join(tmp, `${path.basename(file)}.mutation${i}.json`);
        fs.writeFileSync(name, JSON.stringify(doc));
        return {label, name, doc};
      });
      const mutatedResults = runProbe(mutated.map((m) => m.name));
      mutated.forEach((m, i) => {
        check(!mutatedResults[i].ok, `${file} + ${m.label}: our parser accepts it`);
        check(!schemaSays(m.doc).ok, `${file} + ${m.label}: the schema accepts it`);
      });
    }
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }

  for (const file of invalid) {
    const ours = byFile.get(file);
    check(!ours.ok, `${file}: our parser accepts an invalid example`);
    check(ours.document !== null, `${file}: not even parsed as YAML/JSON: ${ours.error}`);
    if (ours.document !== null) {
      check(!schemaSays(ours.document).ok, `${file}: the schema accepts an invalid example (parser: ${ours.error})`);
    }
  }
  for (const file of semantic) {
    const ours = byFile.get(file);
    check(!ours.ok, `${file}: our parser accepts a semantically invalid example`);
    const theirs = ours.document === null ? {ok: false, errors: 'unparsed'} : schemaSays(ours.document);
    check(theirs.ok, `${file}: the schema now rejects it (${theirs.errors}); move it to invalid/`);
  }

  console.log(`policy schema interop: ${valid.length} valid, ${invalid.length} invalid, ` +
              `${semantic.length} semantically invalid documents; ${checks} checks, ${failures} failed`);
  if (failures > 0) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
