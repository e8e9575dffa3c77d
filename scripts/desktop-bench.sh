#!/usr/bin/env bash
# Measures the release desktop app in a real window (benches/desktop.rs): launch to the first screen, import of a
# 1,000,000-row file from the window, idle memory of the process tree, paging and scrolling the table, the .deb.
# OFFRAMP_BENCH_ROWS=100000 for a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v tauri-driver >/dev/null 2>&1 || export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
(cd ui && npx vite build --logLevel warn)
cargo build --locked --release -p offramp-desktop
export OFFRAMP_E2E_ARTIFACTS="${OFFRAMP_E2E_ARTIFACTS:-$PWD/artifacts/bench}"
scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x860x24" cargo bench --locked --bench desktop
