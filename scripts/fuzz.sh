#!/usr/bin/env bash
# Runs every coverage-guided fuzz target (cargo-fuzz / libFuzzer, on the stable toolchain: no sanitizer) for
# SECONDS each (default 10): `scripts/fuzz.sh 600` is the long run. Targets: any_file (any bytes as an import),
# generic_csv, exchange_files (every exchange variant), order_books (every exchange's answer), sale_request.
# Seeds come from fuzz/seeds/<target>; what the fuzzer finds goes to a temporary corpus, crashes to
# fuzz/artifacts/<target>/ (and fail this script).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
if ! command -v cargo-fuzz >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --version '^0.13' --locked
fi
fuzz=(cargo fuzz)
flags=(--sanitizer none --debug-assertions --target-dir "$target_dir")
"${fuzz[@]}" build "${flags[@]}"
for t in $("${fuzz[@]}" list); do
  corpus="$(mktemp -d)"
  printf '%s: ' "$t"
  log="$(mktemp)"
  if ! "${fuzz[@]}" run "${flags[@]}" "$t" "$corpus" "fuzz/seeds/$t" -- \
      -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    cat "$log"
    echo "fuzz target $t failed: see fuzz/artifacts/$t" >&2
    exit 1
  fi
  grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "$log" | tr '\n' ' '
  echo "corpus $(ls "$corpus" | wc -l) inputs"
  rm -rf "$corpus" "$log"
done
