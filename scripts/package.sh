#!/usr/bin/env bash
# Builds the optimised desktop app and its packages: a .deb (and an AppImage, when its tools can be fetched).
# Install the .deb with:  sudo apt install ./target/release/bundle/deb/Offramp_*.deb
# then start Offramp from the applications menu.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npx vite build --logLevel warn)
bundles="${OFFRAMP_BUNDLES:-deb,appimage}"
ui/node_modules/.bin/tauri build --bundles "$bundles"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
echo
echo "Packages:"
ls -la "$target_dir"/release/bundle/*/ 2>/dev/null | grep -E '\.(deb|AppImage)$' || true
