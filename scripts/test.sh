#!/usr/bin/env bash
# The whole test suite: the README's test command, and what .ci/run calls.
# Installs what it needs itself (cargo toolchain components); safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

# A one-shot run gains nothing from incremental compilation, which would double the disk
# the debug build takes; set CARGO_INCREMENTAL=1 to keep it.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "toolchain"
cargo --version
df -h . | tail -n 1 | awk '{print "disk: " $4 " free of " $2}'

rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p hrh-fhir --all-targets --features fhir-sdk --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked -q

step "fhir validators"
# The official R4 definitions and two validators, for the tests that check what we write.
(cd tests/fhir-validate && npm ci --no-audit --no-fund --loglevel=error)

step "chromium"
# Debian's headless Chromium for the browser tests of the workforce profile (cli/tests/browser.rs).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q chromium
fi

step "rust tests"
cargo test --workspace --locked
# The feature adds one module (unit tests) and one test file; the rest ran above.
cargo test -p hrh-fhir --features fhir-sdk --locked --lib --test sdk_round_trip

step "fuzz"
# Every cargo-fuzz target in fuzz/ for about 20 s each, with the nightly toolchain when
# the machine has one (the parsers' property tests otherwise; scripts/fuzz.sh says which).
bash scripts/fuzz.sh 20

step "dhis2 stand-in contract"
# The stand-in's answers checked against DHIS2's own OpenAPI documents
# (PEERS.md §4), with openapi-schema-validator in a venv under target/.
contract_venv=target/contract-venv
if [ ! -x "$contract_venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$contract_venv"
fi
contract_tools="openapi-schema-validator==0.9.0"
if [ "$(cat "$contract_venv/.tools" 2>/dev/null)" != "$contract_tools" ]; then
    "$contract_venv/bin/python" -m pip install --quiet "$contract_tools"
    echo "$contract_tools" >"$contract_venv/.tools"
fi
cargo build -p dhis2-standin --locked -q
standin="${CARGO_TARGET_DIR:-target}/debug/dhis2-standin"
"$contract_venv/bin/python" tests/dhis2-standin/contract/check_contract.py "$standin"

step "python"
# A virtualenv under target/ (reused across runs), the wheel built in debug
# mode (release builds are slow and tests do not need them), installed as a
# user would install it, then pytest (strict settings in python/pyproject.toml)
# and mypy.stubtest on the installed package.
venv=target/py-venv
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
# pandas-stubs and pyarrow-stubs type to_pandas() and to_arrow() in hrh/_native.pyi for
# mypy.stubtest; pyarrow runs the to_arrow() tests (polars is optional: its tests skip).
tools="maturin>=1.9,<2 pytest>=7 pandas>=1.5 mypy>=1.10 pandas-stubs pyarrow>=14 pyarrow-stubs"
if [ "$(cat "$venv/.tools" 2>/dev/null)" != "$tools" ]; then
    # shellcheck disable=SC2086 # word splitting of $tools is intended
    "$venv/bin/python" -m pip install --quiet --upgrade pip $tools
    echo "$tools" >"$venv/.tools"
fi
rm -rf target/py-wheels
"$venv/bin/maturin" build --manifest-path python/Cargo.toml --interpreter "$venv/bin/python" \
    --out target/py-wheels --quiet
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps target/py-wheels/hrh-*.whl
# The Dhis2Client tests run against the real DHIS2 stand-in (python/tests/test_dhis2.py).
cargo build -p dhis2-standin --locked -q
(cd python && ../"$venv"/bin/python -m pytest -p no:cacheprovider)
(cd target && py-venv/bin/python -m mypy.stubtest hrh)

step "done"
df -h . | tail -n 1 | awk '{print "disk: " $4 " free of " $2}'
du -sh "${CARGO_TARGET_DIR:-target}" | awk '{print "target: " $1}'
