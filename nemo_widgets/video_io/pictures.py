"""Pictures between decoder and encoder: display rotation, fast downscaling, and the RGB →
yuv420p conversion every H.264 output of the engine uses."""

from __future__ import annotations

import av
import cv2
import numpy as np


def rotate(img: np.ndarray, rotation: int) -> np.ndarray:
    """``img`` turned upright for a display rotation in FFmpeg's convention (counter-clockwise
    degrees of the display matrix, as ``av.VideoFrame.rotation`` gives it)."""
    r = rotation % 360
    if r == 90:
        return cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE)
    if r == 180:
        return cv2.rotate(img, cv2.ROTATE_180)
    if r == 270:
        return cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
    return img


def downscale(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """Good and fast: exact halvings with a box filter, then one linear step."""
    while img.shape[1] >= 2 * w and img.shape[0] >= 2 * h:
        img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if (img.shape[1], img.shape[0]) == (w, h):
        return img
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)


def yuv_frame(rgb: np.ndarray) -> av.VideoFrame:
    """An RGB picture as the encoder's yuv420p frame, converted by OpenCV: the same BT.601
    limited-range numbers swscale gives (Y within 1), about ten times faster (0.4 ms against
    4.5 ms at 1080p). Width and height must be even, as yuv420p needs."""
    yuv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420)
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p")


def even_crop(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` cut to an even width and height (yuv420p needs both)."""
    h, w = rgb.shape[:2]
    return rgb if not (h % 2 or w % 2) else rgb[: h - h % 2, : w - w % 2]
