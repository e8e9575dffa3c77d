#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting, clippy (warnings denied), the Rust unit and
# integration tests (core, application layer, CLI golden cases, the desktop shell on Tauri's mock runtime),
# the UI's type check and Vitest tests, and the end-to-end test that drives the real desktop window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

declare -a timings=()
step() {
  local name=$1; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local t0=$SECONDS
  "$@"
  timings+=("$(printf '%5ss  %s' $((SECONDS - t0)) "$name")")
}

step "set-up (system packages, npm packages, tauri-driver)" scripts/setup.sh
step "rustfmt" cargo fmt --all --check
step "UI: type check" bash -c 'cd ui && npx tsc --noEmit'
step "UI: Vitest" bash -c 'cd ui && npx vitest run'
step "UI: build" bash -c 'cd ui && npx vite build --logLevel warn'
step "clippy (warnings denied)" cargo clippy --workspace --all-targets --locked -- -D warnings
step "Rust tests (all crates, desktop shell, CLI golden cases)" cargo test --workspace --locked
step "second factor with the real keyring (gnome-keyring in its own D-Bus session)" scripts/keyring-test.sh
step "fuzzing: every target for 10 s (scripts/fuzz.sh 600 for a long run)" scripts/fuzz.sh 10
step "desktop app build" cargo build -p offramp-desktop --locked

e2e() {
  export OFFRAMP_E2E_APP="$target_dir/debug/offramp-desktop"
  export OFFRAMP_E2E_ARTIFACTS="$PWD/artifacts/e2e"
  command -v tauri-driver >/dev/null 2>&1 || export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x860x24" cargo test --workspace --locked --test e2e_desktop -- --ignored --test-threads=1 --skip the_installed_package
  echo "Screenshots: $OFFRAMP_E2E_ARTIFACTS"
}
step "end-to-end: the real desktop window via tauri-driver under Xvfb" e2e
step "the .deb: built, installed with apt, started from its desktop entry, driven through WebDriver" scripts/deb-test.sh

printf '\n\033[1m==> All tests passed. Time per step:\033[0m\n'
printf '%s\n' "${timings[@]}"
