#!/usr/bin/env bash
# Fills fuzz/seeds/<target>/ (git-ignored) with starting inputs taken from the shared
# fixtures ($HRH_FIXTURES, else ../shared/fixtures next to the repository) and the
# built-in mappings. The seeds are copied or cut up at run time, never committed; the
# committed corpora in fuzz/corpus/ hold only inputs the fuzzer generated.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=${HRH_FIXTURES:-../shared/fixtures}
seeds=fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
if [ ! -d "$fixtures" ]; then
    echo "fuzz seeds: no fixtures at $fixtures (set HRH_FIXTURES); fuzzing from the committed corpora only"
fi
"${PYTHON:-python3}" - "$fixtures" "$seeds" <<'PY'
import glob, json, os, sys

fixtures, seeds = sys.argv[1], sys.argv[2]
targets = ["fhir_ndjson", "fhir_bundle", "fhir_stream", "fhir_mirror", "madx", "dhis2_json",
           "dhis2_csv", "dhis2_xml", "dhis2_adx", "import_summary", "mapping_toml", "period"]
counter = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(os.path.join(seeds, target), exist_ok=True)
    n = counter[target] = counter.get(target, 0) + 1
    with open(os.path.join(seeds, target, f"seed-{n:04}"), "wb") as f:
        f.write(data)

def files(pattern):
    return sorted(glob.glob(os.path.join(fixtures, pattern), recursive=True))

def read(path):
    with open(path, "rb") as f:
        return f.read()

for t in targets:
    os.makedirs(os.path.join(seeds, t), exist_ok=True)

# FHIR: NDJSON exports cut into a few lines each; resources and Bundles as documents.
for path in files("fhir/**/*.ndjson"):
    lines = read(path).splitlines(keepends=True)
    for i in range(0, min(len(lines), 40), 4):
        chunk = b"".join(lines[i:i + 4])
        put("fhir_ndjson", chunk)
        put("fhir_stream", chunk)
bulk = os.path.join(fixtures, "fhir/sample-bulk-fhir-10-patients")
parts = [b"".join(read(p).splitlines(keepends=True)[:3])
         for p in sorted(glob.glob(os.path.join(bulk, "*.000.ndjson")))]
if parts:
    put("fhir_stream", b"\0".join(parts))
for path in files("fhir/hl7-r4*-examples/*.json"):
    data = read(path)
    if len(data) > 16384:
        continue
    put("fhir_bundle", data)
    compact = json.dumps(json.loads(data), separators=(",", ":")).encode() + b"\n"
    put("fhir_ndjson", compact)
    put("fhir_stream", b"\1" + data)
    if b'"MeasureReport"' in data:
        put("madx", data)
    if b'"Bundle"' in data:
        put("fhir_mirror", data)
# The `_history` page, cut into Bundles of a few entries.
for path in files("fhir/**/*history*.json"):
    page = json.loads(read(path))
    entries = page.get("entry", [])
    for i in range(0, min(len(entries), 120), 6):
        part = dict(page, entry=entries[i:i + 6])
        put("fhir_mirror", json.dumps(part))
        put("fhir_bundle", json.dumps(part))

# DHIS2: data value sets by format, import responses.
for path in files("dhis2/datavalueset/*.json"):
    put("dhis2_json", read(path))
for path in files("dhis2/datavalueset/*.csv"):
    put("dhis2_csv", read(path))
for path in files("dhis2/datavalueset/*.xml"):
    put("dhis2_xml", read(path))
for path in files("dhis2/adx/*.xml"):
    put("dhis2_adx", read(path))
for path in files("dhis2/webmessage/*"):
    put("import_summary", read(path))

# Mappings shipped with hrh (in the repository, not fixtures).
for path in sorted(glob.glob("core/mappings/*.toml")):
    put("mapping_toml", read(path))

# One period id of each type and a few ADX periods.
for pid in ["2024", "20240131", "2024-01-31", "202401", "2024-01", "2024W1", "2024W53",
            "2024WedW5", "2024ThuW5", "2024SatW5", "2024SunW5", "2024BiW1", "202402B",
            "2024Q1", "2024NovQ1", "2024S1", "2024AprilS2", "2024NovS1", "2024April",
            "2024July", "2024Oct", "2024Nov", "2024-01-01/P1Y", "2024-04-01/P3M",
            "2024-01-01/P7D", "2024-01-01/P1M", "2024-01-01/P1D"]:
    put("period", pid)
for t in targets:
    print(f"fuzz seeds: {t}: {counter.get(t, 0)}")
PY
