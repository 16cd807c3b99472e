'use strict';
// Differential test: `stella canon --lines` against npm `canonicalize`.
//
// A seeded generator writes a few thousand JSON documents, one a line: nested
// objects and arrays, strings with escapes, control characters, non-BMP
// characters and member names that sort differently by UTF-16 code units than
// by code points, and numbers at the edges of ECMAScript formatting. Every
// line goes through `$STELLA canon --lines` in one process; every output line
// must equal, byte for byte, canonicalize(JSON.parse(line)).
//
// A second batch holds documents JCS/I-JSON forbid (duplicate names, lone
// surrogates, invalid UTF-8, numbers beyond the double range, ...): stella must
// answer each with a '!' line and exit 1. JavaScript itself accepts some of
// them (JSON.parse keeps the last duplicate), so there is no peer to compare.
//
// Usage: node canonicalize_differential.cjs [--documents N] [--seed S]

const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const url = require('node:url');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

// canonicalize 4+ is an ES module; NODE_PATH only serves require(), so find
// the package on NODE_PATH ourselves and import its entry point by path.
async function loadPeer(name) {
  const searched = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  for (const dir of searched) {
    const packageDir = path.join(dir, name);
    const manifestPath = path.join(packageDir, 'package.json');
    if (!fs.existsSync(manifestPath)) continue;
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const rootExport = manifest.exports && (manifest.exports['.'] ?? manifest.exports);
    const entry = (typeof rootExport === 'string' ? rootExport : rootExport?.import ??
                   rootExport?.default ?? rootExport?.require) ?? manifest.main ?? 'index.js';
    const module = await import(url.pathToFileURL(path.join(packageDir, entry)).href);
    return {fn: module.default ?? module, version: manifest.version};
  }
  throw new Error(`npm peer '${name}' not found on NODE_PATH (${searched.join(', ') ||
                  'unset'}); run scripts/bootstrap.sh`);
}

// ---- seeded randomness (mulberry32) -------------------------------------

function makeRandom(seed) {
  let state = seed >>> 0;
  const next32 = () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const random = {
    next32,
    float: () => next32() / 4294967296,
    int: (below) => Math.floor(random.float() * below),
    pick: (items) => items[random.int(items.length)],
    chance: (p) => random.float() < p,
  };
  return random;
}

// ---- strings --------------------------------------------------------------

const isNoncharacter = (cp) => (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) === 0xFFFE;

// Code points from every range that matters to JCS escaping and sorting.
function randomCodePoint(random) {
  for (;;) {
    const range = random.pick([
      [0x20, 0x7E], [0x20, 0x7E], [0x20, 0x7E], [0x00, 0x1F], [0x7F, 0x9F], [0xA0, 0x7FF],
      [0x800, 0xD7FF], [0xE000, 0xFFFD], [0x10000, 0x1FFFF], [0x20000, 0x10FFFD],
      [0x2028, 0x2029], [0x22, 0x22], [0x5C, 0x5C], [0x2F, 0x2F],
    ]);
    const cp = range[0] + random.int(range[1] - range[0] + 1);
    if (!isNoncharacter(cp)) return cp;
  }
}

function randomString(random, maxLength) {
  const length = random.int(maxLength + 1);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCodePoint(randomCodePoint(random));
  return text;
}

// Names chosen so that UTF-16 order differs from code point order: U+E000..
// U+FFFD (sorted last in UTF-16) next to supplementary characters (surrogates).
const INTERESTING_NAMES = [
  '', 'a', 'A', 'b', 'aa', 'ab', '1', '10', '2', '__proto__', 'constructor', '\r', '\u0000',
  '\u007f', '\u0080', '\u00f6', '\u00e9', '\u20ac', '\u2028', '\ud7ff', '\ue000', '\uf8ff',
  '\ufb33', '\ufffd', '\u{10000}', '\u{1f600}', '\u{1f602}', '\u{10fffd}', 'k\ue000',
  'k\u{1f600}', 'k\ufb33', 'k\u{10000}x', 'k\u{10000}', '~/', '"', '\\', 'x\ny', 'tab\t',
];

function randomName(random) {
  return random.chance(0.6) ? random.pick(INTERESTING_NAMES) : randomString(random, 6);
}

// ---- numbers --------------------------------------------------------------

const EDGE_NUMBERS = [
  0, -0, 1, -1, 1e21, -1e21, 1e20, 999999999999999900000, 999999999999999700000, 1e-7, -1e-7,
  1e-6, 9.999999999999997e-7, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, 2 ** 64,
  5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308,
  0.1 + 0.2, 333333333.3333333, 1e23, 9.999999999999997e22, 295147905179352830000, 4.5, 0.002,
  1e-27, 1e30, 1424953923781206.2, -0.0000033333333333333333, 123456789, 1.5, 100,
];

function randomDouble(random) {
  const bytes = new DataView(new ArrayBuffer(8));
  for (;;) {
    bytes.setUint32(0, random.next32());
    bytes.setUint32(4, random.next32());
    const value = bytes.getFloat64(0);
    if (Number.isFinite(value)) return value;
  }
}

function randomNumber(random) {
  switch (random.int(6)) {
    case 0: return random.pick(EDGE_NUMBERS);
    case 1: return randomDouble(random);  // any bit pattern: all magnitudes
    case 2: {  // a decimal magnitude anywhere in the double range
      const value = (random.float() * 10) * 10 ** (random.int(640) - 330);
      return Number.isFinite(value) ? (random.chance(0.5) ? value : -value) : 1;
    }
    case 3: {  // integers of every size, safe and not
      const value = Math.floor(random.float() * 2 ** random.int(80));
      return random.chance(0.5) ? value : -value;
    }
    case 4: return random.int(2000) - 1000;
    default: return Math.round(random.float() * 1e6) / 10 ** random.int(8);
  }
}

// ---- documents ------------------------------------------------------------

function randomValue(random, depth) {
  const kind = random.int(depth >= 4 ? 4 : 7);
  switch (kind) {
    case 0: return randomNumber(random);
    case 1: return randomString(random, 12);
    case 2: return random.pick([true, false, null]);
    case 3: return randomNumber(random);
    case 4:
    case 5: {
      const object = {};
      const size = random.int(7);
      for (let i = 0; i < size; i++) object[randomName(random)] = randomValue(random, depth + 1);
      return object;
    }
    default: {
      const size = random.int(6);
      return Array.from({length: size}, () => randomValue(random, depth + 1));
    }
  }
}

// Numbers as a JSON text may spell them but JSON.stringify never does:
// exponents in every style, redundant digits, huge integers, "-0".
function numberSpelling(random) {
  const digits = (count) => Array.from({length: count}, () => random.int(10)).join('');
  switch (random.int(8)) {
    case 0: {  // mantissa, then an exponent with optional sign and leading zeros
      const sign = random.pick(['', '+', '-']);
      const exponent = sign === '-' ? random.int(340) : random.int(308);  // stays finite
      return `${random.int(10)}.${digits(1 + random.int(30))}${random.pick(['e', 'E'])}${sign}` +
             `${'0'.repeat(random.int(3))}${exponent}`;
    }
    case 1: return `-0${random.pick(['', '.0', '.000', 'e5', 'E-3'])}`;
    case 2: return `${1 + random.int(9)}${digits(15 + random.int(25))}`;  // beyond 2^53
    case 3: return `0.${'0'.repeat(random.int(12))}${1 + random.int(9)}${digits(random.int(20))}`;
    case 4: return `${random.pick(['9007199254740993', '-9007199254740993', '18446744073709551615',
                                   '18446744073709551616', '1e-400', '-1e-400', '4.50', '1E2',
                                   '0e0', '1.0e+21', '100e-9', '0.00000100'])}`;
    case 5: return `${1 + random.int(999)}${'0'.repeat(random.int(25))}`;
    case 6: return `${random.int(100)}.${digits(1 + random.int(5))}e${random.int(40) - 20}`;
    default: return JSON.stringify(randomNumber(random));
  }
}

const WHITESPACE = ['', ' ', '  ', '\t', '\r', ' \t '];

// A hand-assembled JSON text with unusual number spellings, escapes written
// out as \uXXXX and whitespace between tokens.
function randomRawText(random, depth) {
  const ws = () => random.pick(WHITESPACE);
  const kind = random.int(depth >= 3 ? 2 : 4);
  if (kind === 0) return ws() + numberSpelling(random) + ws();
  if (kind === 1) {
    const upper = random.chance(0.5);
    const escapeHex = (unit) => {
      const hex = unit.toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    };
    const characters = [...randomString(random, 8)].map((ch) => {
      const code = ch.codePointAt(0);
      if (!random.chance(0.3)) return JSON.stringify(ch).slice(1, -1);  // as JSON.stringify would
      if (code <= 0xFFFF) return escapeHex(code);
      const high = Math.floor((code - 0x10000) / 0x400) + 0xD800;  // as a surrogate pair
      const low = ((code - 0x10000) % 0x400) + 0xDC00;
      return escapeHex(high) + escapeHex(low);
    });
    return `${ws()}"${characters.join('')}"${ws()}`;
  }
  if (kind === 2) {
    const size = random.int(5);
    const elements = Array.from({length: size}, () => randomRawText(random, depth + 1));
    return `${ws()}[${elements.join(',')}]${ws()}`;
  }
  const names = [...new Set(Array.from({length: random.int(5)}, () => randomName(random)))];
  const members = names.map((name) => `${ws()}${JSON.stringify(name)}${ws()}:` +
                                      randomRawText(random, depth + 1));
  return `${ws()}{${members.join(',')}}${ws()}`;
}

function generateDocuments(count, seed) {
  const random = makeRandom(seed);
  const documents = [];
  for (let i = 0; i < count; i++) {
    documents.push(random.chance(0.25) ? randomRawText(random, 0)
                                       : JSON.stringify(randomValue(random, 0)));
  }
  for (const value of EDGE_NUMBERS) documents.push(JSON.stringify(value));
  return documents;
}

// Documents stella must reject; Buffers so that invalid UTF-8 gets through.
function forbiddenDocuments() {
  const text = [
    '{"a":1,"a":2}', '{"x":[{"k":1,"k":2}]}', '{"a":1,"\\u0061":2}', '"\\ud800"', '"\\udc00"',
    '["\\ud800x"]', '{"\\udfff":1}', '"\\ud800\\u0041"', '1e400', '-1e400', '[1.8e308]', 'NaN',
    'Infinity', '[1,]', '{"a":"\\uffff"}', '{"\\ufdd0":1}', '\ufeff{}', "{'a':1}", '', '[01]',
    '"a\u0001"', '{"a" 1}', '[1] 2',
  ].map((line) => Buffer.from(line, 'utf8'));
  const bytes = [
    [0x22, 0xED, 0xA0, 0x80, 0x22],        // UTF-8-encoded surrogate
    [0x22, 0xC0, 0xAF, 0x22],              // overlong '/'
    [0x22, 0xE0, 0x80, 0xAF, 0x22],        // overlong, three bytes
    [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
    [0x22, 0xFF, 0x22],
    [0x7B, 0x22, 0x80, 0x22, 0x3A, 0x31, 0x7D],  // in a member name
  ].map((list) => Buffer.from(list));
  return [...text, ...bytes];
}

// ---- running stella -------------------------------------------------------

function runStella(lines) {
  const stella = process.env.STELLA;
  if (!stella) throw new Error('STELLA is not set (the path of the stella binary)');
  const input = Buffer.concat(lines.flatMap((line) => [Buffer.from(line), Buffer.from('\n')]));
  const run = childProcess.spawnSync(stella, ['canon', '--lines'], {
    input, maxBuffer: 1 << 30,
  });
  if (run.error) throw run.error;
  const output = run.stdout;
  const outputLines = [];
  let start = 0;
  for (let i = 0; i < output.length; i++) {
    if (output[i] === 0x0A) {
      outputLines.push(output.subarray(start, i));
      start = i + 1;
    }
  }
  if (start !== output.length) outputLines.push(output.subarray(start));  // unterminated
  return {status: run.status, stderr: run.stderr.toString(), lines: outputLines};
}

function show(buffer) {
  return JSON.stringify(buffer.toString('utf8'));
}

async function main() {
  const count = option('documents', 5000);
  const seed = option('seed', 8785);
  const {fn: canonicalize, version} = await loadPeer('canonicalize');

  const documents = generateDocuments(count, seed);
  const valid = runStella(documents);
  let failed = 0;
  let passed = 0;
  const report = (message) => {
    if (++failed <= 5) console.error(message);  // the first few are enough to debug
  };
  if (valid.lines.length !== documents.length) {
    report(`stella answered ${valid.lines.length} lines for ${documents.length} documents`);
  }
  documents.forEach((document, index) => {
    let expected;
    try {
      expected = Buffer.from(canonicalize(JSON.parse(document)), 'utf8');
    } catch (error) {
      report(`document ${index} is not valid for the peer (a generator bug): ${error.message}\n` +
             `  ${JSON.stringify(document)}`);
      return;
    }
    const actual = valid.lines[index] ?? Buffer.alloc(0);
    if (actual.equals(expected)) {
      passed++;
    } else {
      report(`document ${index}: ${JSON.stringify(document)}\n` +
             `  canonicalize: ${show(expected)}\n  stella:       ${show(actual)}`);
    }
  });
  if (valid.status !== 0) report(`stella exited ${valid.status} on valid documents`);

  const forbidden = forbiddenDocuments();
  const rejected = runStella(forbidden);
  forbidden.forEach((document, index) => {
    const answer = rejected.lines[index];
    if (answer && answer[0] === 0x21 /* '!' */ && answer.length > 1) {
      passed++;
    } else {
      report(`forbidden document ${index} (${show(document)}) was not rejected: ` +
             `${answer ? show(answer) : 'no answer'}`);
    }
  });
  if (rejected.lines.length !== forbidden.length) {
    report(`stella answered ${rejected.lines.length} lines for ${forbidden.length} documents`);
  }
  if (rejected.status !== 1) report(`stella exited ${rejected.status}, not 1, on forbidden input`);

  console.log(`canonicalize differential (npm canonicalize ${version}, seed ${seed}): ` +
              `${documents.length} documents + ${forbidden.length} forbidden, ` +
              `${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
