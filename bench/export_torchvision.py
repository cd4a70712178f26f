#!/usr/bin/python3
"""Exports a torchvision model (untrained weights) to ONNX with torch.onnx, for measuring hone
on models from another exporter. Measurement only: PyTorch is not a dependency of hone.

Usage: /usr/bin/python3 bench/export_torchvision.py NAME OPSET [OUT_DIR]   (default /tmp/tv)
Writes OUT_DIR/NAME_tvOPSET.onnx with input 'input' [batch, 3, 224, 224] (batch dynamic) and
output 'output'. Needs Debian's python3-torch and python3-torchvision.
"""
import os
import sys

import torch
import torchvision

name, opset = sys.argv[1], int(sys.argv[2])
out_dir = sys.argv[3] if len(sys.argv) > 3 else "/tmp/tv"
os.makedirs(out_dir, exist_ok=True)
model = getattr(torchvision.models, name)(weights=None).eval()
# Some heads start at zero (ViT's classifier), which makes every output 0 and the comparison
# with ONNX Runtime meaningless: give all-zero weight matrices small random values.
torch.manual_seed(0)
with torch.no_grad():
    for param in model.parameters():
        if param.dim() >= 2 and not param.any():
            param.normal_(0.0, 0.02)
path = os.path.join(out_dir, f"{name}_tv{opset}.onnx")
torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=opset,
                  input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
print("wrote", path)
