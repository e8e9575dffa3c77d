#!/usr/bin/env bash
# Measures the guided sale in the release app in a real window (benches/wizard.rs): "Compare" to the comparison on
# screen (offline, and with live order books from a local replay server) and "Plan" to the recommendation.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v tauri-driver >/dev/null 2>&1 || export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
(cd ui && npx vite build --logLevel warn)
cargo build --locked --release -p offramp-desktop
export OFFRAMP_E2E_ARTIFACTS="${OFFRAMP_E2E_ARTIFACTS:-$PWD/artifacts/bench}"
scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x860x24" cargo bench --locked --bench wizard
