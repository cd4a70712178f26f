#!/usr/bin/env bash
# Per-layer mode: GFLOP/s and % of the measured FP32 peak for each conv/gemm step of a model.
# Runs `hone run MODEL --profile --json` and `hone-peak --json` at the same thread count and
# prints a markdown table (see bench/layers.js).
# Usage: bash bench/layers.sh MODEL   (a `hone zoo` name or a path to an .onnx file)
# Env: THREADS (default: physical cores), REPEAT (20), WARMUP (3), HONE_ARGS (extra `hone run`
#      flags), HONE (default build/hone), PEAK (default build/bench/hone-peak), PEAK_JSON (a
#      saved `hone-peak --json` to reuse instead of measuring), ALL=1 (every step, not only
#      conv/gemm).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
[ $# -eq 1 ] || { echo "usage: bash bench/layers.sh MODEL (zoo name or .onnx path)" >&2; exit 2; }
hone=${HONE:-build/hone}
peak=${PEAK:-build/bench/hone-peak}
bins=("$hone")
[ -n "${PEAK_JSON:-}" ] || bins+=("$peak")
for bin in "${bins[@]}"; do
  [ -x "$bin" ] || { echo "layers.sh: $bin is missing: build it (cmake --build build --target hone hone-peak) or set HONE/PEAK" >&2; exit 2; }
done
cores=$(physical_cores)
threads=${THREADS:-${cores:-2}}

model=$(model_path layers.sh "$hone" "$1")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${PEAK_JSON:-}" ]; then
  cp "$PEAK_JSON" "$tmp/peak.json"
else
  "$peak" --json --no-bandwidth --threads "$threads" > "$tmp/peak.json"
fi
# shellcheck disable=SC2086  # HONE_ARGS is a list of flags
"$hone" run "$model" --profile --json --threads "$threads" --repeat "${REPEAT:-20}" \
  --warmup "${WARMUP:-3}" ${HONE_ARGS:-} > "$tmp/run.json" ||
  { echo "layers.sh: hone run failed (see above; --profile needs a hone with profiling)" >&2; exit 2; }
node bench/layers.js "$tmp/run.json" "$tmp/peak.json" ${ALL:+--all}
