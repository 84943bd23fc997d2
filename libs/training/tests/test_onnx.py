import os
import tempfile
import unittest

import torch
import torch.nn.functional as F
from torch import nn

from person_search_training.export import export_onnx
from person_search_training.onnx_torch import OnnxSubgraph, _asymmetric_upsample


class TinyNet(nn.Module):
    """The op subset of the CenterNet backbone: Conv (grouped), HardSwish, Relu, Clip, Add, Mul, GAP, Concat."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.b = nn.Conv2d(16, 4, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        a = F.hardswish(self.a(x))
        d = torch.clamp(self.dw(a) + 3.0, 0.0, 6.0) * a
        c = torch.cat([F.relu(d), a], dim=1)
        return self.pool(self.b(c)).flatten(1)


def export_tiny(folder: str, float16: bool) -> tuple[nn.Module, str]:
    net = TinyNet().eval()
    path = os.path.join(folder, "tiny.onnx")
    export_onnx(net, torch.rand(1, 3, 16, 12), path, "x", "y", float16_storage=float16)
    return net, path


class OnnxRoundTripTests(unittest.TestCase):
    def test_interpreter_reproduces_the_exported_net(self):
        with tempfile.TemporaryDirectory() as d:
            net, path = export_tiny(d, float16=False)
            import onnx
            out = onnx.load(path).graph.node[-1].output[0]
            sub = OnnxSubgraph(path, [out], input_name="x")
            x = torch.rand(2, 3, 16, 12)
            with torch.no_grad():
                torch.testing.assert_close(sub(x).flatten(1), net(x), atol=1e-5, rtol=1e-4)

    def test_float16_storage_is_close_and_trainable(self):
        with tempfile.TemporaryDirectory() as d:
            net, path = export_tiny(d, float16=True)
            import onnx
            model = onnx.load(path)
            self.assertTrue(any(i.data_type == onnx.TensorProto.FLOAT16 for i in model.graph.initializer))
            sub = OnnxSubgraph(path, [model.graph.node[-1].output[0]], input_name="x")
            x = torch.rand(2, 3, 16, 12)
            y = sub(x).flatten(1)
            torch.testing.assert_close(y.detach(), net(x).detach(), atol=1e-2, rtol=1e-2)
            y.sum().backward()
            self.assertTrue(all(p.grad is not None for p in sub.parameters()))

    def test_asymmetric_upsample_matches_onnx_definition(self):
        x = torch.tensor([[[[0.0, 1.0]]]])
        y = _asymmetric_upsample(x, 2)
        torch.testing.assert_close(y, torch.tensor([[[[0.0, 0.5, 1.0, 1.0], [0.0, 0.5, 1.0, 1.0]]]]))


if __name__ == "__main__":
    unittest.main()
