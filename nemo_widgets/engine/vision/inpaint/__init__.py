"""Video inpainting without a learned model: use the rest of the video (VIDEO-AI.md).

For each shot (never across a cut):
1. camera motion: homographies between frames from ORB features *outside* the hole (RANSAC);
   a static camera is detected and kept exact (identity); where a moving camera also shows
   parallax (what a homography leaves is over half a pixel), local optical flow (DIS,
   completed inside holes, forward-backward checked) does the rest;
2. a background plate in the shot's reference frame: for every hole pixel, the median of the
   frames where that scene point is visible (a moving object reveals what is behind it);
3. pixels never seen in any frame (a car parked for the whole clip) are synthesised once on
   the plate — so the fill is identical in every frame (no flicker) — by exemplar synthesis
   (PatchMatch) on the low frequencies of frequency-selective reconstruction;
4. each frame takes the plate warped into its own view, with a gain match to the frame's
   exposure around the hole and a feathered border.

Memory stays bounded: analysis runs on small frames; the plate is built from at most
``max_samples`` crops of the region of interest per shot.

The package follows that flow: ``motion.py`` (cuts, holes, camera motion) → ``flow.py``
(local flow for parallax) → ``plate.py`` (passes 1 and 2: the analysis and each shot's plate)
and ``stack.py`` (a still shot's frames, for a moving hole) → ``synthesis.py`` (pixels never
seen) → ``fill.py`` (pass 3: composite and encode). Given the frames an earlier pass decoded
(a :class:`~nemo_widgets.video_io.FrameCache`, as object removal keeps from its scan), the
analysis reads those instead of decoding the source.
"""

from __future__ import annotations

from nemo_widgets.engine.vision.inpaint.fill import Carried, filled_frames, inpaint_video
from nemo_widgets.engine.vision.inpaint.flow import LocalFlow, push_pull, remap
from nemo_widgets.engine.vision.inpaint.motion import (
    CutDetector,
    Hole,
    MaskFn,
    MotionTracker,
    Shot,
    detect_cuts,
    thumbnail,
)
from nemo_widgets.engine.vision.inpaint.plate import Analysis, FillResult, Known, analyse
from nemo_widgets.engine.vision.inpaint.stack import Stack
from nemo_widgets.engine.vision.inpaint.synthesis import synthesise

__all__ = [
    "Analysis",
    "Carried",
    "CutDetector",
    "FillResult",
    "Hole",
    "Known",
    "LocalFlow",
    "MaskFn",
    "MotionTracker",
    "Shot",
    "Stack",
    "analyse",
    "detect_cuts",
    "filled_frames",
    "inpaint_video",
    "push_pull",
    "remap",
    "synthesise",
    "thumbnail",
]
