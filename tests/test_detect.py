"""The TFJS→ONNX converter (against a numpy reference) and NanoDet on real frames."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from nemo_widgets.engine.vision.tfjs_onnx import ConversionError, convert
from nemo_widgets.samples import sample_path
from nemo_widgets.stills import frame


def _tiny_model(folder: Path) -> tuple[Path, dict[str, np.ndarray]]:
    """NCHW input → NHWC → pad → conv (float16 weights) → +bias(+folded zeros) → leaky relu →
    max pool → NCHW, and a split + concat + resize branch."""
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.5, (3, 3, 2, 4)).astype(np.float16)  # HWIO
    bias = rng.normal(0, 0.1, (4,)).astype(np.float32)
    consts = {
        "perm_in": np.array([0, 2, 3, 1], np.int32),
        "perm_out": np.array([0, 3, 1, 2], np.int32),
        "pads": np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32),
        "w": w,
        "bias": bias,
        "where": np.zeros((0, 1), np.int32),
        "shape": np.array([4], np.int32),
        "vals": np.zeros((0,), np.float32),
        "zero": np.array(0, np.float32),
        "split": np.array([1, 3], np.int32),
        "axis3": np.array(3, np.int32),
        "size": np.array([8, 8], np.int32),
    }
    attr = lambda **kw: kw  # noqa: E731
    s = lambda v: {"s": base64.b64encode(v.encode()).decode()}  # noqa: E731
    nodes = [{"name": k, "op": "Const", "attr": {}} for k in consts] + [
        {
            "name": "x",
            "op": "Placeholder",
            "attr": {
                "shape": {
                    "shape": {"dim": [{"size": "1"}, {"size": "2"}, {"size": "6"}, {"size": "6"}]}
                }
            },
        },
        {"name": "nhwc", "op": "Transpose", "input": ["x", "perm_in"]},
        {"name": "pad", "op": "Pad", "input": ["nhwc", "pads"]},
        {
            "name": "conv",
            "op": "Conv2D",
            "input": ["pad", "w"],
            "attr": attr(
                padding=s("VALID"),
                data_format=s("NHWC"),
                strides={"list": {"i": ["1", "1", "1", "1"]}},
            ),
        },
        {"name": "zeros", "op": "SparseToDense", "input": ["where", "shape", "vals", "zero"]},
        {"name": "b2", "op": "AddV2", "input": ["bias", "zeros"]},
        {"name": "add", "op": "Add", "input": ["conv", "b2"]},
        {"name": "act", "op": "LeakyRelu", "input": ["add"], "attr": {"alpha": {"f": 0.1}}},
        {
            "name": "pool",
            "op": "MaxPool",
            "input": ["act"],
            "attr": attr(
                padding=s("VALID"),
                data_format=s("NHWC"),
                ksize={"list": {"i": ["1", "2", "2", "1"]}},
                strides={"list": {"i": ["1", "2", "2", "1"]}},
            ),
        },
        {"name": "Identity", "op": "Transpose", "input": ["pool", "perm_out"]},
        {
            "name": "parts",
            "op": "SplitV",
            "input": ["act", "split", "axis3"],
            "attr": {"num_split": {"i": "2"}},
        },
        {"name": "cat", "op": "ConcatV2", "input": ["parts:1", "parts", "axis3"]},
        {
            "name": "Identity_1",
            "op": "ResizeBilinear",
            "input": ["cat", "size"],
            "attr": {"half_pixel_centers": {"b": True}, "align_corners": {"b": False}},
        },
    ]
    manifest, blob = [], b""
    for k, v in consts.items():
        entry = {
            "name": k,
            "shape": list(v.shape),
            "dtype": "int32" if v.dtype == np.int32 else "float32",
        }
        if v.dtype == np.float16:
            entry["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
        manifest.append(entry)
        blob += v.tobytes()
    (folder / "w.bin").write_bytes(blob)
    spec = {
        "modelTopology": {"node": nodes},
        "weightsManifest": [{"paths": ["w.bin"], "weights": manifest}],
        "signature": {"outputs": {"Identity:0": {}, "Identity_1:0": {}}},
    }
    (folder / "model.json").write_text(json.dumps(spec))
    return folder / "model.json", consts


def test_converter_matches_a_numpy_reference(tmp_path: Path) -> None:
    import cv2
    import onnx
    import onnxruntime as ort

    path, c = _tiny_model(tmp_path)
    onnx.save(convert(path), str(tmp_path / "m.onnx"))
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(size=(1, 2, 6, 6)).astype(np.float32)
    pooled, resized = sess.run(["Identity", "Identity_1"], {"x": x})
    # numpy reference, NHWC
    a = np.pad(x.transpose(0, 2, 3, 1), ((0, 0), (1, 1), (1, 1), (0, 0)))
    w = c["w"].astype(np.float32)
    conv = np.zeros((1, 6, 6, 4), np.float32)
    for i in range(6):
        for j in range(6):
            conv[0, i, j] = np.tensordot(
                a[0, i : i + 3, j : j + 3, :], w, axes=([0, 1, 2], [0, 1, 2])
            )
    act = conv + c["bias"]
    act = np.where(act > 0, act, 0.1 * act)
    pool = act.reshape(1, 3, 2, 3, 2, 4).max(axis=(2, 4))
    np.testing.assert_allclose(pooled, pool.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5)
    cat = np.concatenate([act[..., 1:], act[..., :1]], axis=3)[0]
    ref = cv2.resize(cat, (8, 8), interpolation=cv2.INTER_LINEAR)  # half-pixel centres
    np.testing.assert_allclose(resized[0], ref, rtol=1e-4, atol=1e-4)


def test_unsupported_ops_are_named(tmp_path: Path) -> None:
    spec = {
        "modelTopology": {
            "node": [
                {"name": "x", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": []}}}},
                {"name": "y", "op": "Einsum", "input": ["x"]},
            ]
        },
        "weightsManifest": [{"paths": [], "weights": []}],
    }
    (tmp_path / "m.json").write_text(json.dumps(spec))
    with pytest.raises(ConversionError, match="Einsum"):
        convert(tmp_path / "m.json")


@pytest.mark.slow
def test_nanodet_finds_cars_and_people_on_real_frames() -> None:
    from nemo_widgets.engine.vision.detect import Detector

    det = Detector()
    street = np.asarray(frame(sample_path("bikes"), 6.5).convert("RGB"))  # the static bikes shot
    cars = [d for d in det(street) if d.label == "car"]
    assert cars and all(0.35 <= d.score <= 1 for d in cars)
    assert all(0 <= d.box[0] < d.box[2] <= street.shape[1] for d in cars)
    webcam = np.asarray(frame(sample_path("webcam"), 3.0).convert("RGB"))
    people = det(webcam, labels={"person"})
    assert len(people) == 1 and people[0].score > 0.5
    x0, y0, x1, y1 = people[0].box
    assert x0 < 200 < x1 and y0 < 150 < y1  # around the man in the middle of the frame
