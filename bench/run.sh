#!/usr/bin/env bash
# Benchmarks hone against ONNX Runtime (npm onnxruntime-node, installed here into the ignored
# bench/node_modules; never a dependency of hone) on `hone zoo` models: same input, same
# thread count, interleaved rounds; prints a markdown table (see bench/compare.js).
# Usage: bench/run.sh [all | model,model,... | path/to/model.onnx,...]
# Env: THREADS (default: physical cores), ROUNDS (5), REPEAT (10), WARMUP (2),
#      HONE_ARGS (extra `hone run` flags, e.g. "--opt-level 0"), HONE (the hone binary,
#      default build/hone, built if missing), JSON_OUT (also save every row as JSON there).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
models=${1:-resnet50,mobilenet_v2}
hone=${HONE:-build/hone}

command -v node >/dev/null || { echo "run.sh: node (Node.js) is required for the ONNX Runtime peer" >&2; exit 2; }
if [ ! -d bench/node_modules/onnxruntime-node ]; then
  # Without the variable its install script tries to download GPU files and fails offline.
  (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm install --silent --no-audit --no-fund)
fi
if [ ! -x "$hone" ]; then
  [ -z "${HONE:-}" ] || { echo "run.sh: HONE=$hone is not an executable" >&2; exit 2; }
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j "$(nproc)" --target hone
fi

# Physical cores (the default of `hone run --threads`): distinct core ids per package.
cores=$(physical_cores)
threads=${THREADS:-${cores:-2}}

if [ "$models" = all ]; then
  models=$("$hone" zoo list --json | node -e \
    'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).map((m) => m.name).join(","))')
fi
mkdir -p models
paths=()
for m in ${models//,/ }; do
  if [[ "$m" == *.onnx ]]; then
    paths+=("$m")
    continue
  fi
  [ -f "models/$m.onnx" ] || "$hone" zoo make "$m" -o "models/$m.onnx" >/dev/null
  paths+=("models/$m.onnx")
done
list=$(IFS=,; echo "${paths[*]}")

ort_version=$(node -p 'require("./bench/node_modules/onnxruntime-node/package.json").version')
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $cores cores ($(nproc) CPUs); date: $(date -u '+%F %H:%M') UTC"
echo "hone: $("$hone" --version) ($hone); ONNX Runtime: $ort_version (onnxruntime-node); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
node bench/compare.js --hone "$hone" --models "$list" --threads "$threads" \
  --rounds "${ROUNDS:-5}" --repeat "${REPEAT:-10}" --warmup "${WARMUP:-2}" \
  --hone-args "${HONE_ARGS:-}" --markdown --progress ${JSON_OUT:+--json-out "$JSON_OUT"}
