#!/usr/bin/env bash
# Side-by-side benchmark: (a) `hrh aggregate`, (b) the Python wheel, (c) orjson + pandas,
# (d) fhir.resources, (e) DuckDB, (f) polars, on generated registries of 100,000 and
# 1,000,000 workers, each without and with the generator's deliberate bad records; then
# the JSON-parsing limit of the machine over the same files.
# Run from a clean checkout after the README set-up; writes the tables to stdout.
#   SIZES="100000 1000000" KINDS="clean bad" RUNS=3 bash benchmarks/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -p hrh-cli -p hrh-benches --bin hrh --bin json_limit
venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip "maturin>=1.9,<2" orjson "pandas>=2" \
    "fhir.resources==8.3.0" "duckdb>=1.1" "polars>=1.0"
"$venv/bin/python" -m pip install --quiet ./python

for size in ${SIZES:-100000 1000000}; do
    for kind in ${KINDS:-clean bad}; do
        data="benchmarks/data/$size-$kind"
        if [ ! -f "$data/Practitioner.ndjson" ]; then
            flags=()
            [ "$kind" = clean ] && flags=(--no-bad-records)
            target/release/hrh generate --workers "$size" --seed 42 --year "${YEAR:-2024}" "${flags[@]}" --out "$data"
        fi
    done
done
"$venv/bin/python" benchmarks/compare.py
echo
for size in ${SIZES:-100000 1000000}; do
    for kind in ${KINDS:-clean bad}; do
        echo "JSON-parsing limit, $size workers ($kind):"
        target/release/json_limit "benchmarks/data/$size-$kind"
    done
done
