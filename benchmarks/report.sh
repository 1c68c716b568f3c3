#!/usr/bin/env bash
# `hrh report` against `hrh aggregate` on the same generated registry: wall time of each
# (best of RUNS) and the page's size. Usage: WORKERS=1000000 RUNS=3 bash benchmarks/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${WORKERS:-1000000}
runs=${RUNS:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -p hrh-cli --locked -q
hrh="$CARGO_TARGET_DIR/release/hrh"
dir="$CARGO_TARGET_DIR/bench-report-$workers"
[ -d "$dir/registry" ] || "$hrh" generate --workers "$workers" --out "$dir/registry" >/dev/null
best() {
    local best=""
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        best=$(echo "$end - $start" | bc | awk -v b="$best" '{ if (b == "" || $1 < b) print $1; else print b }')
    done
    echo "$best"
}
args=(--period 2024 --country UZ --org-unit UZ)
aggregate=$(best "$hrh" aggregate "${args[@]}" -o "$dir/figures.json" "$dir/registry")
report=$(best "$hrh" report "${args[@]}" -o "$dir/profile.html" "$dir/registry")
size=$(stat -c %s "$dir/profile.html")
echo "workers=$workers aggregate=${aggregate}s report=${report}s ratio=$(echo "scale=2; $report / $aggregate" | bc) page=${size} bytes"
