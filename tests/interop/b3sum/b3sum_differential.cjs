// Differential test: `stella digest --alg blake3` against Debian's b3sum (the
// BLAKE3 team's Rust implementation) on deterministic pseudo-random files
// whose lengths sit on block, chunk and subtree boundaries; then the command's
// other behaviour (stdin, sha256/sha512 against coreutils, a missing file).
'use strict';

const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const stella = process.env.STELLA;
if (!stella) {
  console.error('b3sum differential: $STELLA (the stella binary) is not set');
  process.exit(1);
}
if (spawnSync('b3sum', ['--version']).status !== 0) {
  console.error('b3sum differential: b3sum not found (apt-get install -y b3sum)');
  process.exit(1);
}

const MiB = 1024 * 1024;
const LENGTHS = [0, 1, 63, 64, 65, 1023, 1024, 1025, 65535, 65536, 65537, 3 * MiB + 1, 8 * MiB];

// xorshift32, seeded per file: the same bytes on every run.
function pseudoRandomBytes(length, seed) {
  const bytes = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function run(command, args, input) {
  const result = spawnSync(command, args, { input, maxBuffer: 16 * MiB });
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

// "<alg>:<hex>  <name>" -> "<hex>", or null if the line is not of that form.
function stellaHex(line, algorithm, name) {
  const match = new RegExp(`^${algorithm}:([0-9a-f]+)  (.*)$`).exec(line);
  return match && match[2] === name ? match[1] : null;
}

const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'zastava-b3sum-'));
const results = { differential: { passed: 0, failed: 0 }, cli: { passed: 0, failed: 0 } };

function check(group, ok, description, detail) {
  results[group][ok ? 'passed' : 'failed']++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${description}${ok ? '' : `\n     ${detail}`}`);
}

try {
  const files = LENGTHS.map((length, index) => {
    const file = path.join(workdir, `input-${length}.bin`);
    fs.writeFileSync(file, pseudoRandomBytes(length, index + 1));
    return file;
  });

  for (const file of files) {
    const expected = execFileSync('b3sum', ['--no-names', file]).toString().trim();
    const out = run(stella, ['digest', '--alg', 'blake3', file]);
    const got = out.status === 0 ? stellaHex(out.stdout.trim(), 'blake3', file) : null;
    check('differential', got === expected, `blake3 ${fs.statSync(file).size} bytes`,
          `b3sum ${expected}, stella exit ${out.status}: ${out.stdout.trim()} ${out.stderr.trim()}`);
  }

  // Standard input, streamed through the same 1 MiB reads.
  const big = files[files.length - 2];
  const expectedBig = execFileSync('b3sum', ['--no-names', big]).toString().trim();
  const fromStdin = run(stella, ['digest', '--alg', 'blake3', '-'], fs.readFileSync(big));
  check('differential', stellaHex(fromStdin.stdout.trim(), 'blake3', '-') === expectedBig,
        "blake3 of standard input ('-')", `b3sum ${expectedBig}, stella ${fromStdin.stdout.trim()}`);

  // The other algorithms against coreutils; sha256 is the default.
  for (const [args, algorithm, tool] of [[[], 'sha256', 'sha256sum'],
                                         [['--alg', 'sha512'], 'sha512', 'sha512sum']]) {
    const out = run(stella, ['digest', ...args, ...files]);
    const lines = out.stdout.trim().split('\n');
    const ok = out.status === 0 && lines.length === files.length && files.every((file, i) =>
      stellaHex(lines[i], algorithm, file) === execFileSync(tool, [file]).toString().split(' ')[0]);
    check('cli', ok, `${algorithm} of ${files.length} files in one call equals ${tool}, in order`,
          `exit ${out.status}: ${out.stdout} ${out.stderr}`);
  }

  // A missing file: reported on stderr, the others still hashed, exit 1.
  const missing = path.join(workdir, 'does-not-exist');
  const out = run(stella, ['digest', '--alg', 'blake3', missing, files[1]]);
  check('cli', out.status === 1 &&
               out.stderr.includes(`stella digest: ${missing}: No such file or directory`) &&
               stellaHex(out.stdout.trim(), 'blake3', files[1]) !== null,
        'a missing file is reported, the rest hashed, exit code 1',
        `exit ${out.status}, stdout '${out.stdout.trim()}', stderr '${out.stderr.trim()}'`);

  const badAlg = run(stella, ['digest', '--alg', 'md5', files[1]]);
  check('cli', badAlg.status === 64 && badAlg.stderr.includes("unknown --alg 'md5'"),
        'an unknown --alg is a usage error (64)', `exit ${badAlg.status}: ${badAlg.stderr.trim()}`);
} finally {
  fs.rmSync(workdir, { recursive: true, force: true });
}

const { differential, cli } = results;
console.log(`stella digest checks: ${cli.passed} passed, ${cli.failed} failed`);
console.log(`b3sum differential: ${differential.passed} passed, ${differential.failed} failed`);
process.exit(differential.failed + cli.failed === 0 ? 0 : 1);
