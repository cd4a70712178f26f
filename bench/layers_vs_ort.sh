#!/usr/bin/env bash
# Per-layer comparison with ONNX Runtime: interleaved rounds of `hone run --profile --json` and
# ORT's own profiler (bench/ort_profile.js) on the same model and thread count, joined per
# convolution / GEMM shape by bench/layers_vs_ort.js (what hone loses most comes first).
# Usage: bash bench/layers_vs_ort.sh MODEL   (a `hone zoo` name or a path to an .onnx file)
# Each row also gives both engines' layers as % of the FP32 peak hone-peak measures at the same
# thread count, and the last line counts the conv layers of each at 85% of it or more.
# Env: THREADS (default: physical cores), ROUNDS (3), REPEAT (20), WARMUP (3), HONE (default
#      build/hone), HONE_ARGS (extra `hone run` flags), PEAK (default build/bench/hone-peak),
#      PEAK_JSON (a saved `hone-peak --json` to reuse instead of measuring).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
[ $# -eq 1 ] || { echo "usage: bash bench/layers_vs_ort.sh MODEL (zoo name or .onnx path)" >&2; exit 2; }
hone=${HONE:-build/hone}
peak=${PEAK:-build/bench/hone-peak}
[ -x "$hone" ] || { echo "layers_vs_ort.sh: $hone is missing: build it (cmake --build build --target hone) or set HONE" >&2; exit 2; }
[ -n "${PEAK_JSON:-}" ] || [ -x "$peak" ] ||
  { echo "layers_vs_ort.sh: $peak is missing: build it (cmake --build build --target hone-peak) or set PEAK or PEAK_JSON" >&2; exit 2; }
[ -d bench/node_modules/onnxruntime-node ] ||
  (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund >/dev/null)
cores=$(physical_cores)
threads=${THREADS:-${cores:-2}}

model=$(model_path layers_vs_ort.sh "$hone" "$1")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${PEAK_JSON:-}" ]; then
  cp "$PEAK_JSON" "$tmp/peak.json"
else
  "$peak" --json --no-bandwidth --threads "$threads" > "$tmp/peak.json"
fi
hone_files=() ort_files=()
for round in $(seq 1 "${ROUNDS:-3}"); do
  # shellcheck disable=SC2086  # HONE_ARGS is a list of flags
  "$hone" run "$model" --profile --json --threads "$threads" --repeat "${REPEAT:-20}" \
    --warmup "${WARMUP:-3}" ${HONE_ARGS:-} > "$tmp/hone$round.json" ||
    { echo "layers_vs_ort.sh: hone run failed (see above)" >&2; exit 2; }
  node bench/ort_profile.js "$model" --threads "$threads" --repeat "${REPEAT:-20}" \
    --warmup "${WARMUP:-3}" > "$tmp/ort$round.json"
  hone_files+=("$tmp/hone$round.json") ort_files+=("$tmp/ort$round.json")
done
node bench/layers_vs_ort.js --hone "$(IFS=,; echo "${hone_files[*]}")" --ort "$(IFS=,; echo "${ort_files[*]}")" \
  --peak "$tmp/peak.json"
