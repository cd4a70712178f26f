#!/usr/bin/env bash
# Installs every Debian 12 package hone's build and tests need. Idempotent: installs only
# what is missing, and runs apt-get update only when something is.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev libcli11-dev libfmt-dev libzip-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcpuinfo-dev libsleef-dev libhwy-dev
  # Only the thread-pool micro-benchmark links pthreadpool (the peer of hone's own pool).
  libpthreadpool-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
