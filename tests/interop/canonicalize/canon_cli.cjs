'use strict';
// `stella canon` whole-document mode and its error handling, checked against
// npm canonicalize: FILE and stdin input, no trailing newline, exit codes
// (0 ok, 1 rejected input or unreadable file, 64 bad command line) and
// "stella canon: <reason>" on stderr.

const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const url = require('node:url');

async function loadCanonicalize() {
  for (const dir of (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)) {
    const entry = path.join(dir, 'canonicalize', 'lib', 'canonicalize.js');
    if (fs.existsSync(entry)) return (await import(url.pathToFileURL(entry).href)).default;
  }
  throw new Error('npm canonicalize not found on NODE_PATH; run scripts/bootstrap.sh');
}

function stella(args, input) {
  const run = childProcess.spawnSync(process.env.STELLA, ['canon', ...args], {input});
  if (run.error) throw run.error;
  return {status: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString()};
}

async function main() {
  const canonicalize = await loadCanonicalize();
  const failures = [];
  let checks = 0;
  const check = (name, condition, detail) => {
    checks++;
    if (!condition) failures.push(`${name}: ${detail}`);
  };

  const document = '{\n  "z": [1E2, -0, 1e21, 0.000001, 1e-7, "\\u00e9\\ud83d\\ude00\\u000b"],\n' +
                   '  "\\u20ac": {"b": true, "a": null},\n  "\\ufb33": 9007199254740993\n}\n';
  const expected = canonicalize(JSON.parse(document));

  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'stella-canon-'));
  try {
    const file = path.join(directory, 'document.json');
    fs.writeFileSync(file, document);

    const fromFile = stella([file]);
    check('FILE', fromFile.status === 0 && fromFile.stdout === expected,
          `exit ${fromFile.status}, output ${JSON.stringify(fromFile.stdout)}`);
    const fromDash = stella(['-'], document);
    check('stdin via -', fromDash.status === 0 && fromDash.stdout === expected,
          `exit ${fromDash.status}, output ${JSON.stringify(fromDash.stdout)}`);
    const fromStdin = stella([], document);
    check('stdin by default', fromStdin.status === 0 && fromStdin.stdout === expected,
          `exit ${fromStdin.status}, output ${JSON.stringify(fromStdin.stdout)}`);

    const duplicate = stella([], '{"a": 1, "a": 2}');
    check('rejected input', duplicate.status === 1 && duplicate.stdout === '' &&
          /^stella canon: .*duplicate member name "a"/.test(duplicate.stderr),
          `exit ${duplicate.status}, stderr ${JSON.stringify(duplicate.stderr)}`);

    const missing = stella([path.join(directory, 'missing.json')]);
    check('missing file', missing.status === 1 && /^stella canon: cannot open/.test(missing.stderr),
          `exit ${missing.status}, stderr ${JSON.stringify(missing.stderr)}`);

    const unknown = stella(['--bogus']);
    check('unknown option', unknown.status === 64 && /unknown option --bogus/.test(unknown.stderr),
          `exit ${unknown.status}, stderr ${JSON.stringify(unknown.stderr)}`);
    const twoFiles = stella([file, file]);
    check('two files', twoFiles.status === 64, `exit ${twoFiles.status}`);
  } finally {
    fs.rmSync(directory, {recursive: true, force: true});
  }

  for (const failure of failures) console.error(failure);
  console.log(`canon cli: ${checks - failures.length} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
