// stella keygen + stella dsse sign, checked by @sigstore/core: its DSSE PAE
// and its crypto helpers verify every signature, and node recomputes each
// keyid from the public key's SPKI DER.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const sigstore = require('@sigstore/core');
const { stella, tempDir, keyidOf, Tally } = require('./harness.cjs');

const tally = new Tally('sigstore interop');
const dir = tempDir('zastava-sigstore-a-');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
// Node's crypto.verify takes the digest name for ECDSA and null for Ed25519.
const DIGEST = { 'ecdsa-p256': 'sha256', ed25519: null };

function keygen(type) {
  const out = path.join(dir, `${type}.pem`);
  const run = stella('keygen', '--type', type, '--out', out);
  tally.check(`keygen ${type} exits 0`, run.status === 0, run.stderr);
  const publicPem = fs.readFileSync(path.join(dir, `${type}.pub.pem`), 'utf8');
  const mode = fs.statSync(out).mode & 0o777;
  tally.check(`keygen ${type} private key mode 0600`, mode === 0o600, mode.toString(8));
  const publicKey = sigstore.crypto.createPublicKey(publicPem);
  return { type, privatePath: out, publicKey, printedKeyid: run.stdout.trim() };
}

function signWith(keys, payload, name) {
  const input = path.join(dir, `${name}.payload`);
  const output = path.join(dir, `${name}.dsse.json`);
  fs.writeFileSync(input, payload);
  const keyArgs = keys.flatMap((key) => ['--key', key.privatePath]);
  const run = stella('dsse', 'sign', ...keyArgs, '--payload-type', PAYLOAD_TYPE, '--in', input,
                     '--out', output);
  tally.check(`dsse sign ${name} exits 0`, run.status === 0, run.stderr);
  return JSON.parse(fs.readFileSync(output, 'utf8'));
}

function sigstoreVerifies(envelope, signature, key, payloadOverride) {
  const payload = payloadOverride ?? Buffer.from(envelope.payload, 'base64');
  const pae = sigstore.dsse.preAuthEncoding(envelope.payloadType, payload);
  return sigstore.crypto.verify(pae, key.publicKey, Buffer.from(signature.sig, 'base64'),
                                DIGEST[key.type]);
}

const keys = ['ecdsa-p256', 'ed25519'].map(keygen);

// keygen never overwrites silently; --force replaces the pair and keeps 0600.
{
  const again = stella('keygen', '--type', 'ed25519', '--out', keys[1].privatePath);
  tally.check('keygen refuses to overwrite', again.status === 1 && again.stderr.includes('--force'),
              again.stderr);
  const forcedPath = path.join(dir, 'forced.pem');
  fs.writeFileSync(forcedPath, 'old', { mode: 0o644 });
  const forced = stella('keygen', '--type', 'ecdsa-p256', '--out', forcedPath, '--force');
  tally.check('keygen --force overwrites', forced.status === 0, forced.stderr);
  tally.check('keygen --force leaves mode 0600', (fs.statSync(forcedPath).mode & 0o777) === 0o600);
}
// Non-ASCII and a length that needs base64 padding.
const payload = Buffer.from(JSON.stringify({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'r\u00e9gistry/app', digest: { sha256: 'ab'.repeat(32) } }],
  predicateType: 'https://example.com/p', predicate: { n: 1 },
}) + ' ');

for (const key of keys) {
  const nodeKeyid = keyidOf(key.publicKey);
  tally.check(`${key.type}: keygen prints the SPKI keyid`, key.printedKeyid === nodeKeyid,
              `${key.printedKeyid} vs ${nodeKeyid}`);
  const envelope = signWith([key], payload, key.type);
  tally.check(`${key.type}: payloadType`, envelope.payloadType === PAYLOAD_TYPE);
  tally.check(`${key.type}: payload round-trips`,
              Buffer.from(envelope.payload, 'base64').equals(payload));
  tally.check(`${key.type}: standard padded base64`,
              /^[A-Za-z0-9+/]*={0,2}$/.test(envelope.payload) && envelope.payload.length % 4 === 0);
  tally.check(`${key.type}: one signature`, envelope.signatures.length === 1);
  const [signature] = envelope.signatures;
  tally.check(`${key.type}: envelope keyid is node's SPKI keyid`, signature.keyid === nodeKeyid,
              `${signature.keyid} vs ${nodeKeyid}`);
  tally.check(`${key.type}: @sigstore/core verifies`, sigstoreVerifies(envelope, signature, key));
  tally.check(`${key.type}: @sigstore/core rejects a tampered payload`,
              !sigstoreVerifies(envelope, signature, key, Buffer.concat([payload, Buffer.from('x')])));
}

// Both keys on one envelope: each signature verifies under its own key only.
const both = signWith(keys, payload, 'both');
tally.check('two keys: two signatures', both.signatures.length === 2);
keys.forEach((key, i) => {
  const signature = both.signatures[i];
  tally.check(`two keys: signature ${i} has ${key.type}'s keyid`,
              signature.keyid === keyidOf(key.publicKey));
  tally.check(`two keys: signature ${i} verifies`, sigstoreVerifies(both, signature, key));
  const other = keys[1 - i];
  tally.check(`two keys: signature ${i} does not verify under the other key`,
              !sigstoreVerifies(both, signature, other));
});

fs.rmSync(dir, { recursive: true, force: true });
tally.finish();
