#!/usr/bin/env bash
# Sets up what is missing, builds the UI and the desktop app, and opens Offramp.
#   scripts/run.sh            a dev build (its data lives in <data dir>/offramp-dev)
#   scripts/run.sh --release  an optimised build (its data lives in <data dir>/offramp)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

profile=debug
cargo_flags=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_flags+=(--release)
fi

(cd ui && npm run --silent build)
cargo build -p offramp-desktop "${cargo_flags[@]}"
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/$profile/offramp-desktop"
