#!/usr/bin/env bash
# Builds the optimised desktop app and its packages: a .deb, and an AppImage when its tools can be fetched
# (OFFRAMP_APPIMAGE=0 skips it).
# Install the .deb with:  sudo apt install ./target/release/bundle/deb/Offramp_*.deb
# then start Offramp from the applications menu.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npx vite build --logLevel warn)
ui/node_modules/.bin/tauri build --bundles deb
# The AppImage tools (AppRun, linuxdeploy) are downloaded from GitHub at bundle time: offline, it is skipped.
if [ "${OFFRAMP_APPIMAGE:-1}" = 1 ]; then
  ui/node_modules/.bin/tauri build --bundles appimage ||
    echo "The AppImage was not built (its tools are fetched from GitHub: is this machine online?). The .deb is." >&2
fi
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
echo
echo "Packages:"
ls -la "$target_dir"/release/bundle/*/ 2>/dev/null | grep -E '\.(deb|AppImage)$' || true
