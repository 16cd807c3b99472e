// Shared by the sigstore interop scripts: running stella, temp dirs, a tally.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const STELLA = process.env.STELLA;
if (!STELLA) {
  console.error('STELLA (path of the stella binary) is not set');
  process.exit(2);
}

// Runs stella; returns { status, stdout, stderr }.
function stella(...args) {
  const run = spawnSync(STELLA, args, { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// keyid as DSSE/Zastava define it: sha256 over the DER SubjectPublicKeyInfo,
// computed here by node from the key object.
function keyidOf(publicKey) {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return 'sha256:' + crypto.createHash('sha256').update(spki).digest('hex');
}

class Tally {
  constructor(name) {
    this.name = name;
    this.passed = 0;
    this.failed = 0;
  }
  check(label, condition, detail = '') {
    if (condition) {
      this.passed += 1;
    } else {
      this.failed += 1;
      console.error(`FAIL ${label}${detail ? ': ' + detail : ''}`);
    }
  }
  finish() {
    console.log(`${this.name}: ${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed === 0 && this.passed > 0 ? 0 : 1);
  }
}

module.exports = { stella, tempDir, keyidOf, Tally };
