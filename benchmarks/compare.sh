#!/usr/bin/env bash
# Side-by-side benchmark: (a) `hrh aggregate`, (b) the Python wheel, (c) orjson + pandas,
# (d) fhir.resources, on generated registries of 100,000 and 1,000,000 workers.
# Run from a clean checkout after the README set-up; writes the table to stdout.
#   SIZES="100000 1000000" RUNS=3 bash benchmarks/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -p hrh-cli
venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip "maturin>=1.9,<2" orjson "pandas>=2" "fhir.resources==8.3.0"
"$venv/bin/python" -m pip install --quiet ./python

for size in ${SIZES:-100000 1000000}; do
    data="benchmarks/data/$size"
    if [ ! -f "$data/Practitioner.ndjson" ]; then
        # Clean records: the baselines do not model hrh's handling of invalid values.
        target/release/hrh generate --workers "$size" --seed 42 --year "${YEAR:-2024}" --no-bad-records --out "$data"
    fi
done
exec "$venv/bin/python" benchmarks/compare.py
