"""Writes a tiny exported ONNX (float16 storage) plus an input and torch's output, so the Vitest spec can check
that ONNX Runtime (the runtime the platform uses) computes what torch computed."""
import json
import os
import sys

import torch

from tests.test_onnx import export_tiny

if __name__ == "__main__":
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(7)
    net, path = export_tiny(folder, float16=True)
    x = torch.rand(2, 3, 16, 12) * 255
    with torch.no_grad():
        y = net(x)
    with open(os.path.join(folder, "io.json"), "w", encoding="utf-8") as f:
        json.dump({"model": os.path.basename(path), "input": "x", "output": "y", "shape": list(x.shape),
                   "x": x.flatten().tolist(), "y": y.flatten().tolist()}, f)
