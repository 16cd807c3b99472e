// node:crypto keys and signatures over @sigstore/core's DSSE PAE, in
// envelopes written here (standard base64, and URL-safe unpadded), checked by
// `stella dsse verify`: valid ones exit 0, tampered ones exit 1.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const sigstore = require('@sigstore/core');
const { stella, tempDir, keyidOf, Tally } = require('./harness.cjs');

const tally = new Tally('sigstore interop');
const dir = tempDir('zastava-sigstore-b-');
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

function makeKey(type) {
  const { publicKey, privateKey } = type === 'ecdsa-p256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('ed25519');
  const publicPath = path.join(dir, `${type}.pub.pem`);
  fs.writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
  // ECDSA signatures from node:crypto are DER by default, as DSSE expects.
  const digest = type === 'ecdsa-p256' ? 'sha256' : null;
  return {
    type, publicPath, keyid: keyidOf(publicKey),
    sign: (payloadType, payload) =>
      crypto.sign(digest, sigstore.dsse.preAuthEncoding(payloadType, payload), privateKey),
  };
}

const standard = (bytes) => Buffer.from(bytes).toString('base64');
const urlSafe = (bytes) => Buffer.from(bytes).toString('base64url');  // unpadded

function envelope(payload, signatures, encode, payloadType = PAYLOAD_TYPE) {
  return JSON.stringify({
    payloadType,
    payload: encode(payload),
    signatures: signatures.map(({ keyid, sig }) => ({ keyid, sig: encode(sig) })),
  });
}

function writeEnvelope(name, text) {
  const file = path.join(dir, `${name}.dsse.json`);
  fs.writeFileSync(file, text);
  return file;
}

function expectVerify(label, file, keys, expectedStatus, ...extra) {
  const pubArgs = keys.flatMap((key) => ['--pub', key.publicPath]);
  const run = stella('dsse', 'verify', file, ...pubArgs, ...extra);
  tally.check(`${label}: exit ${expectedStatus}`, run.status === expectedStatus,
              `got ${run.status}\n${run.stdout}${run.stderr}`);
  return run;
}

const keys = ['ecdsa-p256', 'ed25519'].map(makeKey);
// Bytes whose base64 uses '+' and '/' (so the URL-safe form differs) and
// whose length needs padding.
const payload = Buffer.concat([Buffer.from('{"k":"v"}'), Buffer.from([0xfb, 0xff, 0xfe, 0x00])]);

for (const key of keys) {
  const sig = key.sign(PAYLOAD_TYPE, payload);
  const std = writeEnvelope(`${key.type}-std`, envelope(payload, [{ keyid: key.keyid, sig }], standard));
  const run = expectVerify(`${key.type} standard base64`, std, [key], 0,
                           '--payload-type', PAYLOAD_TYPE,
                           '--payload-out', path.join(dir, `${key.type}.out`));
  tally.check(`${key.type}: report names the keyid`, run.stdout.includes(key.keyid), run.stdout);
  tally.check(`${key.type}: --payload-out writes the payload`,
              fs.readFileSync(path.join(dir, `${key.type}.out`)).equals(payload));

  // URL-safe, unpadded, and no keyid: stella must try its trusted keys.
  const url = envelope(payload, [{ keyid: '', sig }], urlSafe);
  tally.check(`${key.type}: URL-safe form differs`, url.includes('-') || url.includes('_'));
  expectVerify(`${key.type} URL-safe unpadded, empty keyid`, writeEnvelope(`${key.type}-url`, url),
               [key], 0);

  // Tampering: a changed payload, a changed type, a signature by another key.
  const changed = Buffer.from(payload);
  changed[0] ^= 0x01;
  expectVerify(`${key.type} tampered payload`,
               writeEnvelope(`${key.type}-tampered`, envelope(changed, [{ keyid: key.keyid, sig }], standard)),
               [key], 1);
  expectVerify(`${key.type} tampered payload type`,
               writeEnvelope(`${key.type}-type`,
                             envelope(payload, [{ keyid: key.keyid, sig }], standard, 'application/json')),
               [key], 1);
  expectVerify(`${key.type} expected payload type differs`, std, [key], 1,
               '--payload-type', 'application/json');
  const other = keys.find((k) => k !== key);
  expectVerify(`${key.type} signature not by the trusted key`, std, [other], 1);
}

// 2-of-2 across schemes; the same envelope with one signature fails 2-of-2.
const signatures = keys.map((key) => ({ keyid: key.keyid, sig: key.sign(PAYLOAD_TYPE, payload) }));
const both = writeEnvelope('both', envelope(payload, signatures, standard));
expectVerify('2-of-2 ecdsa-p256 + ed25519', both, keys, 0, '--threshold', '2');
const one = writeEnvelope('one', envelope(payload, signatures.slice(0, 1), standard));
const short = expectVerify('2-of-2 with one signature', one, keys, 1, '--threshold', '2');
tally.check('2-of-2 with one signature: reason given',
            short.stdout.includes('1 of 2 required trusted signatures verified'), short.stdout);
expectVerify('malformed envelope', writeEnvelope('bad', '{"payloadType":"x"}'), keys, 1);
expectVerify('threshold 0 is a usage error', both, keys, 64, '--threshold', '0');

fs.rmSync(dir, { recursive: true, force: true });
tally.finish();
