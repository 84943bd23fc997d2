"""Run (and fine-tune) a sub-graph of an ONNX model as a torch module.

Why: the only pretrained backbone we may ship is the MIT CenterNet MobileNetV3 that the project already
converts to ONNX. Rather than re-implement MobileNetV3 and map weight names by hand, we interpret the ONNX
graph node by node with torch ops; Conv weights and biases become trainable parameters. Only the op subset
that the backbone uses is supported: an unknown op fails loudly.
"""
from __future__ import annotations

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def needed_nodes(graph: onnx.GraphProto, outputs: list[str], start: str = "image") -> list[onnx.NodeProto]:
    """Nodes (in graph order) that the requested tensors depend on, not looking past `start`."""
    producer = {o: n for n in graph.node for o in n.output}
    keep: set[int] = set()
    stack = list(outputs)
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen or name == start or name not in producer:
            continue
        seen.add(name)
        node = producer[name]
        keep.add(id(node))
        stack.extend(i for i in node.input if i)
    return [n for n in graph.node if id(n) in keep]


class OnnxSubgraph(nn.Module):
    """Interprets the part of an ONNX graph between `input_name` and `outputs`."""

    def __init__(self, path: str, outputs: list[str], input_name: str = "image"):
        super().__init__()
        model = onnx.load(path)
        graph = model.graph
        self.input_name = input_name
        self.outputs = list(outputs)
        inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        self.nodes = needed_nodes(graph, outputs, input_name)
        # Float16 initializers are stored with a Cast node in front: fold those casts into float32 tensors.
        aliases: dict[str, str] = {}
        compute = []
        for n in self.nodes:
            if n.op_type == "Cast" and n.input[0] in inits:
                inits[n.output[0]] = inits[n.input[0]].astype(np.float32)
                aliases[n.output[0]] = n.output[0]
            else:
                compute.append(n)
        self.nodes = compute
        self.params = nn.ParameterDict()
        self.consts: dict[str, torch.Tensor] = {}
        self._key: dict[str, str] = {}
        used = {i for n in compute for i in n.input if i}
        for idx, name in enumerate(sorted(used & inits.keys())):
            arr = inits[name]
            tensor = torch.from_numpy(np.array(arr, dtype=np.float32 if arr.dtype.kind == "f" else arr.dtype))
            is_weight = any(n.op_type == "Conv" and name in n.input[1:] for n in compute)
            if is_weight:
                key = f"p{idx}"
                self.params[key] = nn.Parameter(tensor)
                self._key[name] = key
            else:
                self.consts[name] = tensor
        self._attrs = [_attrs(n) for n in compute]

    def param_names(self) -> dict[str, str]:
        """ONNX initializer name -> parameter key (for freezing early layers by name)."""
        return dict(self._key)

    def _value(self, env: dict, name: str):
        if name in env:
            return env[name]
        if name in self._key:
            return self.params[self._key[name]]
        if name in self.consts:
            return self.consts[name]
        raise KeyError(f"tensor {name} not available")

    def forward(self, x: torch.Tensor):
        env = {self.input_name: x}
        for node, at in zip(self.nodes, self._attrs):
            ins = [self._value(env, i) if i else None for i in node.input]
            env[node.output[0]] = _run(node.op_type, ins, at)
        out = [env[o] for o in self.outputs]
        return out[0] if len(out) == 1 else out


def _run(op: str, ins: list, at: dict) -> torch.Tensor:
    if op == "Conv":
        pads = at.get("pads", [0, 0, 0, 0])
        x = ins[0]
        if pads[0] != pads[2] or pads[1] != pads[3]:
            x = F.pad(x, (pads[1], pads[3], pads[0], pads[2]))
            padding = 0
        else:
            padding = (pads[0], pads[1])
        return F.conv2d(x, ins[1], ins[2] if len(ins) > 2 else None, stride=tuple(at.get("strides", [1, 1])),
                        padding=padding, dilation=tuple(at.get("dilations", [1, 1])), groups=at.get("group", 1))
    if op == "Relu":
        return F.relu(ins[0])
    if op == "HardSwish":
        return F.hardswish(ins[0])
    if op == "HardSigmoid":
        return torch.clamp(at.get("alpha", 0.2) * ins[0] + at.get("beta", 0.5), 0, 1)
    if op == "Sigmoid":
        return torch.sigmoid(ins[0])
    if op == "Clip":
        lo = ins[1] if len(ins) > 1 and ins[1] is not None else at.get("min")
        hi = ins[2] if len(ins) > 2 and ins[2] is not None else at.get("max")
        return torch.clamp(ins[0], None if lo is None else float(lo), None if hi is None else float(hi))
    if op == "Add":
        return ins[0] + ins[1]
    if op == "Mul":
        return ins[0] * ins[1]
    if op == "Sub":
        return ins[0] - ins[1]
    if op == "Div":
        return ins[0] / ins[1]
    if op == "GlobalAveragePool":
        return ins[0].mean(dim=(2, 3), keepdim=True)
    if op == "Concat":
        return torch.cat(ins, dim=at["axis"])
    if op == "Identity":
        return ins[0]
    if op == "Constant":
        return torch.from_numpy(numpy_helper.to_array(at["value"]).copy())
    if op == "ConstantOfShape":
        value = numpy_helper.to_array(at["value"]).item() if "value" in at else 0.0
        return torch.full([int(v) for v in ins[0].tolist()], value, dtype=torch.int64 if isinstance(value, int) else torch.float32)
    if op == "Cast":
        return ins[0].to(_TORCH_TYPES[at["to"]])
    if op == "Reshape":
        shape = [int(v) for v in ins[1].tolist()]
        shape = [ins[0].shape[i] if v == 0 else v for i, v in enumerate(shape)]
        return ins[0].reshape(shape)
    if op == "Transpose":
        return ins[0].permute(*at["perm"])
    if op == "Slice":
        x = ins[0]
        starts, ends = ins[1].tolist(), ins[2].tolist()
        axes = ins[3].tolist() if len(ins) > 3 and ins[3] is not None else list(range(len(starts)))
        steps = ins[4].tolist() if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
        for start, end, axis, step in zip(starts, ends, axes, steps):
            x = x.index_select(axis, torch.tensor(_slice_indices(x.shape[axis], start, end, step), dtype=torch.long))
        return x
    if op == "Pad":
        pads = [int(v) for v in ins[1].tolist()]
        half = len(pads) // 2
        torch_pads = []
        for axis in reversed(range(half)):
            torch_pads += [pads[axis], pads[axis + half]]
        value = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0
        return F.pad(ins[0], torch_pads, mode=at.get("mode", b"constant").decode(), value=value)
    if op in ("ReduceMean", "ReduceSum"):
        axes = at.get("axes") if "axes" in at else (ins[1].tolist() if len(ins) > 1 and ins[1] is not None else None)
        keep = bool(at.get("keepdims", 1))
        fn = torch.mean if op == "ReduceMean" else torch.sum
        return fn(ins[0], dim=tuple(axes), keepdim=keep) if axes is not None else fn(ins[0])
    if op == "Sqrt":
        return torch.sqrt(ins[0])
    if op == "BatchNormalization":
        x, scale, bias, mean, var = ins[:5]
        shape = [1, -1] + [1] * (x.dim() - 2)
        return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + at.get("epsilon", 1e-5)) * scale.view(shape) + bias.view(shape)
    if op == "Flatten":
        return torch.flatten(ins[0], at.get("axis", 1))
    if op == "Resize":
        # The converter emits asymmetric bilinear resizes by an integer factor (TF ResizeBilinear, align_corners=false).
        x = ins[0]
        if len(ins) > 3 and ins[3] is not None:
            size = [int(s) for s in ins[3].tolist()][2:]
            factor = size[0] // x.shape[2]
        else:
            factor = int(ins[2].tolist()[2])
        return _asymmetric_upsample(x, factor)
    raise NotImplementedError(f"ONNX op {op} is not supported by onnx_torch")


def _slice_indices(n: int, start: int, end: int, step: int) -> list[int]:
    """ONNX Slice index semantics (negative indices count from the end, out-of-range values clamp)."""
    start = start + n if start < 0 else start
    end = end + n if end < 0 else end
    if step > 0:
        return list(range(min(max(start, 0), n), min(max(end, 0), n), step))
    return list(range(min(max(start, -1), n - 1), min(max(end, -1), n - 1), step))


_TORCH_TYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float16, 11: torch.float64}


def _asymmetric_upsample(x: torch.Tensor, factor: int) -> torch.Tensor:
    """Bilinear upsampling with ONNX 'asymmetric' coordinates: src = dst / factor, clamped at the edge."""
    h, w = x.shape[2], x.shape[3]
    ys = torch.arange(h * factor, dtype=x.dtype, device=x.device) / factor
    xs = torch.arange(w * factor, dtype=x.dtype, device=x.device) / factor
    y0 = ys.floor().long().clamp(max=h - 1)
    x0 = xs.floor().long().clamp(max=w - 1)
    y1 = (y0 + 1).clamp(max=h - 1)
    x1 = (x0 + 1).clamp(max=w - 1)
    wy = (ys - y0.to(x.dtype)).view(1, 1, -1, 1)
    wx = (xs - x0.to(x.dtype)).view(1, 1, 1, -1)
    top = x[:, :, y0][:, :, :, x0] * (1 - wx) + x[:, :, y0][:, :, :, x1] * wx
    bottom = x[:, :, y1][:, :, :, x0] * (1 - wx) + x[:, :, y1][:, :, :, x1] * wx
    return top * (1 - wy) + bottom * wy
