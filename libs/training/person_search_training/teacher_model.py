"""The re-ID teacher: CenterNet MobileNetV3 backbone (from the MIT human-models ONNX), global average pool,
BNNeck (Luo et al., "Bag of Tricks") and an identity classifier used only in training."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .onnx_torch import OnnxSubgraph

# Frozen stem (to stride 4 or 8): freezing the high-resolution layers halves the CPU cost of a step and keeps
# the generic low-level filters of the detector.
STEMS = {
    "stride4": "tower_0/MobilenetV3/expanded_conv_2/add_18",
    "stride8": "tower_0/MobilenetV3/expanded_conv_5/add_67",
    # Everything but the stride-32 stage frozen: stem features can be cached once per augmented view, and a
    # training step only runs the last stage (the cheapest way to train on a loaded CPU).
    "stride16": "tower_0/MobilenetV3/expanded_conv_11/add_129",
}
BACKBONE_OUT = "tower_0/extern1/hard_swish/mul_1_183"
FEATURE_DIM = 480


class ReidTeacher(nn.Module):
    def __init__(self, backbone_onnx: str, num_classes: int, frozen_stem: str = "stride4"):
        super().__init__()
        stem_out = STEMS[frozen_stem]
        self.stem = OnnxSubgraph(backbone_onnx, [stem_out])
        for p in self.stem.parameters():
            p.requires_grad_(False)
        self.body = OnnxSubgraph(backbone_onnx, [BACKBONE_OUT], input_name=stem_out)
        self.neck = nn.BatchNorm1d(FEATURE_DIM)
        self.neck.bias.requires_grad_(False)
        self.classifier = nn.Linear(FEATURE_DIM, max(1, num_classes), bias=False)
        nn.init.normal_(self.classifier.weight, std=0.001)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        with torch.set_grad_enabled(self.training and any(p.requires_grad for p in self.stem.parameters())):
            s = self.stem(x)
        return self.body(s).mean(dim=(2, 3))

    def stem_features(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.stem(x)

    def forward(self, x: torch.Tensor, from_stem: bool = False):
        f = self.body(x).mean(dim=(2, 3)) if from_stem else self.features(x)
        b = self.neck(f)
        if self.training:
            return f, self.classifier(b)
        return F.normalize(b, dim=1)


# Name of the teacher graph's stem output in exported packages: the student's re-ID head starts there.
STEM_TENSOR = "stem_features"


def find_stem_output(graph) -> str:
    """The tensor the traced export passes from the stem module to the body module."""
    producer = {o: n for n in graph.node for o in n.output}
    for node in graph.node:
        if "/body/" in node.name or node.name.startswith("/teacher/body"):
            for i in node.input:
                src = producer.get(i)
                if src is not None and "/stem/" in src.name:
                    return i
    raise ValueError("stem output not found in the exported graph")


class EmbedderExport(nn.Module):
    """Inference graph: crops (N,3,H,W, RGB 0..255) -> L2-normalised embeddings (N, 480)."""

    def __init__(self, teacher: ReidTeacher):
        super().__init__()
        self.teacher = teacher

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        s = self.teacher.stem(crops)
        f = self.teacher.body(s).mean(dim=(2, 3))
        b = self.teacher.neck(f)
        return b / b.norm(dim=1, keepdim=True).clamp(min=1e-12)
