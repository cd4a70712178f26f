#!/usr/bin/env bash
# Benchmarks hone against ONNX Runtime (npm onnxruntime-node, installed here into the ignored
# bench/node_modules; never a dependency of hone) on `hone zoo` models, interleaved.
# Usage: bench/run.sh [model,model,...]   (env: THREADS, ROUNDS, REPEAT, WARMUP, HONE_ARGS)
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-resnet50,mobilenet_v2}

if [ ! -d bench/node_modules/onnxruntime-node ]; then
  # Without the variable its install script tries to download GPU files and fails offline.
  (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm install --silent --no-audit --no-fund)
fi
[ -x build/hone ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j "$(nproc)"; }

mkdir -p models
paths=()
for m in ${models//,/ }; do
  [ -f "models/$m.onnx" ] || ./build/hone zoo make "$m" -o "models/$m.onnx"
  paths+=("models/$m.onnx")
done
list=$(IFS=,; echo "${paths[*]}")

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; date: $(date -u +%F)"
node bench/compare.js --hone build/hone --models "$list" --threads "${THREADS:-2}" \
  --rounds "${ROUNDS:-5}" --repeat "${REPEAT:-10}" --warmup "${WARMUP:-2}" \
  --hone-args "${HONE_ARGS:-}" --markdown
