#!/usr/bin/python3
"""Exports a BERT-base-sized text encoder (token embedding + learned positions, torch's
nn.TransformerEncoder: post-norm, GELU, 12 heads of 64, feed-forward 3072, untrained weights)
to ONNX with torch.onnx, for measuring hone on a transformer over token ids. Measurement only:
PyTorch is not a dependency of hone.

Usage: /usr/bin/python3 bench/export_encoder.py LAYERS SEQ OPSET [OUT_DIR]   (default /tmp/tx)
Writes OUT_DIR/encoder_LAYERSl_SEQ_opOPSET.onnx: input 'ids' int64 [1, SEQ], output 'logits'
[1, 2] (a two-class head on the first token). Needs Debian's python3-torch.
"""
import os
import sys

import torch

layers, seq, opset = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out_dir = sys.argv[4] if len(sys.argv) > 4 else "/tmp/tx"
os.makedirs(out_dir, exist_ok=True)
torch.manual_seed(0)


class Encoder(torch.nn.Module):
    def __init__(self, d=768, heads=12, ff=3072, vocab=30522):
        super().__init__()
        self.emb = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Parameter(torch.zeros(1, 512, d))
        block = torch.nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="gelu",
                                                 batch_first=True)
        self.enc = torch.nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.head = torch.nn.Linear(d, 2)

    def forward(self, ids):
        x = self.emb(ids) + self.pos[:, : ids.shape[1]]
        return self.head(self.enc(x)[:, 0])


model = Encoder().eval()
# nn.TransformerEncoder deep-copies one layer, and the exporter would store the identical copies
# once: distinct random weights per layer, as a trained model has (weights then stream from
# memory on every run, as they do in practice).
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.randn_like(param) * 0.02)
path = os.path.join(out_dir, f"encoder_{layers}l_{seq}_op{opset}.onnx")
torch.onnx.export(model, (torch.randint(0, 30522, (1, seq)),), path, opset_version=opset,
                  input_names=["ids"], output_names=["logits"])
print("wrote", path)
