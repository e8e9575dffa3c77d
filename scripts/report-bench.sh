#!/usr/bin/env bash
# Measures tax reports of a 1,000,000-row ledger (benches/reports.rs): whole-process wall time and peak RSS of the
# release CLI against the import's time, opening after the key derivation, and reports in an open session.
# OFFRAMP_BENCH_ROWS=100000 for a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --locked --release -p offramp-cli
OFFRAMP_BENCH_CLI="${OFFRAMP_BENCH_CLI:-$CARGO_TARGET_DIR/release/offramp}" cargo bench --locked --bench reports
