#!/usr/bin/env bash
# Installs what Offramp's build and tests need and is missing on a Debian 12 / Ubuntu machine:
# system packages (WebKitGTK for the desktop shell, Xvfb and WebKitWebDriver for the end-to-end test),
# the UI's npm packages, and tauri-driver. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config curl wget file ca-certificates
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver fonts-dejavu-core imagemagick
  dbus-daemon gnome-keyring libsecret-tools python3 python3-venv poppler-utils
  xdotool libglib2.0-bin desktop-file-utils
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or newer is needed for the UI (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm ci only when the installed packages do not match the lock file.
if [ ! -f ui/node_modules/.package-lock.json ] || ! cmp -s ui/package-lock.json ui/node_modules/.offramp-lock-copy; then
  say "Installing the UI's npm packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json ui/node_modules/.offramp-lock-copy
fi

if ! command -v cargo-fuzz >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-fuzz" ]; then
  say "Installing cargo-fuzz (coverage-guided fuzzing of the importers, order books and sale requests)"
  cargo install cargo-fuzz --version '^0.13' --locked
fi

# beancount (PyPI), whose bean-check reads the beancount export in the tests, in a virtual environment of its own
# outside the clone.
bean_env="${OFFRAMP_PY_ENV:-$HOME/.cache/offramp/py}"
if [ ! -x "$bean_env/bin/bean-check" ]; then
  say "Installing beancount 3.2 from PyPI into $bean_env (bean-check checks the beancount export)"
  mkdir -p "$(dirname "$bean_env")"
  python3 -m venv "$bean_env"
  "$bean_env/bin/pip" install --quiet --disable-pip-version-check 'beancount==3.2.0'
fi

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  say "Installing tauri-driver (WebDriver for the desktop app)"
  cargo install tauri-driver --version '^2' --locked
fi
