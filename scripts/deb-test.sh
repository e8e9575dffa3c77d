#!/usr/bin/env bash
# Builds the .deb (debug profile, to fit CI's time; `scripts/package.sh` builds the optimised one), installs it
# with the system's package manager, checks its desktop entry and icon, starts it from the desktop entry the
# way the applications menu does (gio launch) and waits for its window, then drives the installed binary
# through WebDriver (the window title and the create screen). Removes the package afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ui/node_modules/.bin/tauri build --debug --bundles deb
deb="$(ls -t "$target_dir"/debug/bundle/deb/*.deb | head -1)"
echo "Built $deb ($(du -h "$deb" | cut -f1))"
sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb"
trap 'sudo_if_needed dpkg -r offramp >/dev/null' EXIT

entry=/usr/share/applications/Offramp.desktop
desktop-file-validate "$entry"
grep -qx 'Exec=offramp-desktop' "$entry"
grep -qx 'Icon=offramp-desktop' "$entry"
test -x "$(command -v offramp-desktop)"
test -f /usr/share/icons/hicolor/128x128/apps/offramp-desktop.png

# Started as the applications menu starts it: from its desktop entry; its window appears.
data="$(mktemp -d)"
OFFRAMP_DATA_DIR="$data" xvfb-run -a -s "-screen 0 1280x860x24" bash -c '
  gio launch /usr/share/applications/Offramp.desktop &
  for _ in $(seq 1 100); do
    if xdotool search --name "^Offramp$" >/dev/null 2>&1; then echo "The window of the installed app is open."; pkill -x offramp-desktop || true; exit 0; fi
    sleep 0.2
  done
  echo "The installed app did not open a window within 20 s" >&2; exit 1
'
rm -rf "$data"

export OFFRAMP_E2E_APP=/usr/bin/offramp-desktop OFFRAMP_E2E_ARTIFACTS="$PWD/artifacts/e2e"
command -v tauri-driver >/dev/null 2>&1 || export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
xvfb-run -a -s "-screen 0 1280x860x24" cargo test --locked --test e2e_desktop the_installed_package -- --ignored
