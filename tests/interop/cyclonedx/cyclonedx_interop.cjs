'use strict';
// provcache's CycloneDX parser against @cyclonedx/cyclonedx-library (the
// CycloneDX project's own JavaScript implementation): BOMs are built with its
// models, serialized by its JsonSerializer for spec 1.6 (and 1.5, 1.4),
// validated against the official JSON schema by its JsonStrictValidator
// (ajv, installed beside it), written to files and read back through
// sbom_probe (argv[2]). The probe's summary must agree with the library's
// model: component count, names, versions, purls, bom-refs, licenses and
// hashes presence, the metadata component, and the canonical hash (sha256 of
// npm canonicalize's RFC 8785 form of the serialized document). A BOM
// serialized for spec 1.3 must be rejected as unsupported.

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const url = require('node:url');

const CDX = require('@cyclonedx/cyclonedx-library');

const {Models, Enums, Spec, Serialize, Validation} = CDX;

async function loadCanonicalize() {
  for (const dir of (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)) {
    const entry = path.join(dir, 'canonicalize', 'lib', 'canonicalize.js');
    if (fs.existsSync(entry)) return (await import(url.pathToFileURL(entry).href)).default;
  }
  throw new Error('npm canonicalize not found on NODE_PATH; run scripts/bootstrap.sh');
}

// A small seeded generator so every run builds the same BOMs.
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function library(name, version, op = {}) {
  return new Models.Component(Enums.ComponentType.Library, name, {
    version,
    bomRef: op.bomRef,
    purl: op.purl,
    licenses: op.licenses ? new Models.LicenseRepository(op.licenses) : undefined,
    hashes: op.hashes ? new Models.HashDictionary(op.hashes) : undefined,
    components: op.components ? new Models.ComponentRepository(op.components) : undefined,
  });
}

function sha256Hex(seed) {
  return crypto.createHash('sha256').update(String(seed)).digest('hex');
}

function typicalBom() {
  const bom = new Models.Bom({serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79'});
  bom.metadata.component = new Models.Component(Enums.ComponentType.Container, 'registry.example.com/shop/payments', {
    bomRef: 'image',
    version: 'sha256:' + sha256Hex('image'),
    purl: 'pkg:oci/payments@sha256%3A' + sha256Hex('image') + '?repository_url=registry.example.com/shop/payments',
  });
  bom.components.add(library('openssl', '3.3.2-r1', {
    bomRef: 'pkg:apk/alpine/openssl@3.3.2-r1?arch=x86_64',
    purl: 'pkg:apk/alpine/openssl@3.3.2-r1?arch=x86_64',
    licenses: [new Models.SpdxLicense('Apache-2.0')],
    hashes: [[Enums.HashAlgorithm['SHA-256'], sha256Hex('openssl')]],
  }));
  bom.components.add(library('busybox', '1.36.1-r29', {
    purl: 'pkg:apk/alpine/busybox@1.36.1-r29',
    licenses: [new Models.LicenseExpression('GPL-2.0-only')],
  }));
  bom.components.add(library('tzdata', '2024b-r0', {purl: 'pkg:apk/alpine/tzdata@2024b-r0'}));
  return bom;
}

function nestedBom() {
  const bom = new Models.Bom();
  const express = library('express', '4.21.1', {
    purl: 'pkg:npm/express@4.21.1',
    components: [library('body-parser', '1.20.3', {purl: 'pkg:npm/body-parser@1.20.3'})],
  });
  const app = new Models.Component(Enums.ComponentType.Application, 'payments-api', {
    version: '2.4.0',
    components: new Models.ComponentRepository([express, library('lodash', '4.17.20', {purl: 'pkg:npm/lodash@4.17.20'})]),
  });
  bom.components.add(app);
  bom.components.add(library('@scope/ünïcode-名前', '0.0.1-β', {purl: 'pkg:npm/%40scope/%C3%BCn%C3%AFcode@0.0.1'}));
  return bom;
}

function generatedBom(seed, count) {
  const random = prng(seed);
  const bom = new Models.Bom();
  for (let i = 0; i < count; i++) {
    const name = `pkg-${i}-${Math.floor(random() * 1e6).toString(36)}`;
    const version = `${Math.floor(random() * 10)}.${Math.floor(random() * 100)}.${Math.floor(random() * 1000)}`;
    bom.components.add(library(name, version, {
      purl: random() < 0.8 ? `pkg:pypi/${name}@${version}` : undefined,
      licenses: random() < 0.5 ? [new Models.SpdxLicense('MIT')] : undefined,
      hashes: random() < 0.5 ? [[Enums.HashAlgorithm['SHA-1'], sha256Hex(name).slice(0, 40)]] : undefined,
    }));
  }
  return bom;
}

// The library's model, flattened parent-first as provcache documents it.
function flatten(components, out = []) {
  for (const component of components) {
    out.push(component);
    flatten(component.components, out);
  }
  return out;
}

function summaryOf(component, documentComponent) {
  return {
    bomRef: documentComponent['bom-ref'] || '',
    type: component.type,
    name: component.name,
    version: component.version || '',
    purl: component.purl ? component.purl.toString() : '',
    hasLicenses: component.licenses.size > 0,
    hasHashes: component.hashes.size > 0,
  };
}

function flattenDocument(components, out = []) {
  for (const component of components || []) {
    out.push(component);
    flattenDocument(component.components, out);
  }
  return out;
}

function probe(file) {
  const run = childProcess.spawnSync(process.argv[2], [file]);
  if (run.error) throw run.error;
  return {status: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString('utf8')};
}

function serializer(spec) {
  return new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(spec));
}

async function main() {
  if (!process.argv[2]) throw new Error('usage: cyclonedx_interop.cjs SBOM_PROBE');
  const canonicalize = await loadCanonicalize();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'provcache-cyclonedx-'));
  const failures = [];
  let passed = 0;

  const cases = [
    ['empty 1.6', () => new Models.Bom(), Spec.Spec1dot6],
    ['typical 1.6', typicalBom, Spec.Spec1dot6],
    ['nested 1.6', nestedBom, Spec.Spec1dot6],
    ['generated 1.6', () => generatedBom(16, 250), Spec.Spec1dot6],
    ['typical 1.5', typicalBom, Spec.Spec1dot5],
    ['nested 1.4', nestedBom, Spec.Spec1dot4],
  ];

  try {
    for (const [name, build, spec] of cases) {
      const bom = build();
      const text = serializer(spec).serialize(bom, {sortLists: false, space: 2});
      const document = JSON.parse(text);
      const errors = await new Validation.JsonStrictValidator(spec.version).validate(text);
      if (errors !== null) {
        failures.push(`${name}: the library's own validator rejected its BOM: ${JSON.stringify(errors)}`);
        continue;
      }
      const file = path.join(directory, name.replace(/\W+/g, '_') + '.cdx.json');
      fs.writeFileSync(file, text);
      const run = probe(file);
      if (run.status !== 0) {
        failures.push(`${name}: sbom_probe exit ${run.status}: ${run.stderr}`);
        continue;
      }
      const got = JSON.parse(run.stdout);
      const documentComponents = flattenDocument(document.components);
      const modelComponents = flatten(bom.components);
      const expected = {
        specVersion: spec.version,
        serialNumber: bom.serialNumber || '',
        canonicalHash: 'sha256:' + crypto.createHash('sha256').update(canonicalize(document), 'utf8').digest('hex'),
        metadataComponent: bom.metadata.component ? summaryOf(bom.metadata.component, document.metadata.component)
                                                  : null,
        components: modelComponents.map((component, i) => summaryOf(component, documentComponents[i] || {})),
      };
      const problems = [];
      if (documentComponents.length !== modelComponents.length) {
        problems.push(`the document has ${documentComponents.length} components, the model ${modelComponents.length}`);
      }
      for (const key of ['specVersion', 'serialNumber', 'canonicalHash', 'metadataComponent']) {
        if (canonicalize(got[key]) !== canonicalize(expected[key])) {
          problems.push(`${key}: got ${JSON.stringify(got[key])}, want ${JSON.stringify(expected[key])}`);
        }
      }
      if (got.components.length !== expected.components.length) {
        problems.push(`component count: got ${got.components.length}, want ${expected.components.length}`);
      } else {
        got.components.forEach((component, i) => {
          const want = expected.components[i];
          const keys = ['bomRef', 'type', 'name', 'version', 'purl', 'hasLicenses', 'hasHashes'];
          for (const key of keys) {
            if (component[key] !== want[key]) {
              problems.push(`component ${i} ${key}: got ${JSON.stringify(component[key])}, want ${JSON.stringify(want[key])}`);
            }
          }
        });
      }
      if (problems.length) {
        failures.push(`${name}: ${problems.slice(0, 5).join('; ')}`);
      } else {
        passed++;
      }
    }

    // Spec 1.3 is valid CycloneDX that provcache does not support: refused, with the reason.
    const old = path.join(directory, 'typical_1_3.cdx.json');
    fs.writeFileSync(old, serializer(Spec.Spec1dot3).serialize(typicalBom(), {}));
    const refused = probe(old);
    if (refused.status === 1 && /unsupported: .*\/specVersion: "1\.3" is not supported/.test(refused.stderr)) {
      passed++;
    } else {
      failures.push(`spec 1.3: want exit 1 and an unsupported specVersion message, got exit ${refused.status}: ${refused.stderr}`);
    }
  } finally {
    fs.rmSync(directory, {recursive: true, force: true});
  }

  for (const failure of failures) console.error(`FAIL ${failure}`);
  console.log(`cyclonedx interop: ${passed} passed, ${failures.length} failed`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exitCode = 1;
});
