#!/usr/bin/env bash
# The whole test suite: the README's test command, and what .ci/run calls.
# Installs what it needs itself (cargo toolchain components); safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

step "toolchain"
cargo --version
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p hrh-fhir --all-targets --features fhir-sdk --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked -q

step "rust tests"
cargo test --workspace --locked
cargo test -p hrh-fhir --features fhir-sdk --locked
