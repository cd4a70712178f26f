#!/usr/bin/env bash
# The main job from a fresh machine: set up, build, generate the default model offline with
# `hone zoo` and run it, printing the latency table.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

model=${HONE_MODEL:-resnet50}
mkdir -p models
[ -f "models/$model.onnx" ] || ./build/hone zoo make "$model" -o "models/$model.onnx"
./build/hone info "models/$model.onnx"
./build/hone run "models/$model.onnx" --fill-mode random --repeat 10 --print-time
