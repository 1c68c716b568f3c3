#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one after the other:
#   scripts/fuzz.sh [SECONDS]
# Needs the nightly toolchain (cargo fuzz builds with sanitizer flags only nightly has);
# installs cargo-fuzz when missing. Without nightly it says so and runs the parsers'
# property tests instead. Inputs: fuzz/corpus/<target> (committed, minimised) and
# fuzz/seeds/<target> (cut from the shared fixtures by fuzz/seed.sh); new finds go to
# fuzz/found/<target> (git-ignored; fuzz/README.md says how to fold them into the corpus).
# Crashes are saved in fuzz/artifacts/<target>/; the script exits 1 if any target failed.
# FUZZ_SANITIZER=address|none (default address) and FUZZ_MAX_LEN (default 16384) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
sanitizer=${FUZZ_SANITIZER:-address}
max_len=${FUZZ_MAX_LEN:-16384}

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz: no nightly toolchain here (rustup toolchain list); cargo fuzz needs one."
    echo "fuzz: running the parsers' property tests instead."
    cargo test --locked -p hrh-fhir --test robustness
    cargo test --locked -p hrh-dhis2 --test no_panic
    cargo test --locked -p hrh-dhis2 --lib client::no_panic
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

bash fuzz/seed.sh
flags=(--debug-assertions --sanitizer "$sanitizer")
cargo +nightly fuzz build "${flags[@]}"
failed=()
for target in $(cargo +nightly fuzz list); do
    mkdir -p "fuzz/found/$target" "fuzz/corpus/$target" "fuzz/artifacts/$target"
    echo "== fuzz $target: ${seconds}s =="
    if ! cargo +nightly fuzz run "${flags[@]}" "$target" "fuzz/found/$target" \
        "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 2>"fuzz/artifacts/$target/log"; then
        failed+=("$target")
    fi
    # The run's totals (executions, exec/s); the whole log stays in fuzz/artifacts/.
    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==|SUMMARY|.*panicked at)' \
        "fuzz/artifacts/$target/log" || true
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs and logs in fuzz/artifacts/)"
    exit 1
fi
echo "fuzz: every target ran ${seconds}s without a failure"
