# Shared by the bench scripts (sourced, not run): the thread count and model paths.

# Physical cores (the default thread count of hone and of these scripts).
physical_cores() {
  lscpu -p=core,socket 2>/dev/null | grep -v '^#' | sort -u | wc -l
}

# Prints the .onnx path of MODEL: a path as given, or a `hone zoo` name made into
# models/NAME.onnx on first use with the hone binary HONE_BIN. Exits 2 when the file is missing.
# Usage: model_path SCRIPT_NAME HONE_BIN MODEL
model_path() {
  local script=$1 hone_bin=$2 model=$3
  if [[ "$model" != *.onnx ]]; then
    mkdir -p models
    [ -f "models/$model.onnx" ] || "$hone_bin" zoo make "$model" -o "models/$model.onnx" >/dev/null
    model="models/$model.onnx"
  fi
  [ -f "$model" ] || { echo "$script: $model does not exist" >&2; exit 2; }
  echo "$model"
}
