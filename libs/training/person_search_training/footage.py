"""A customer's own footage for distillation (`npm run distill -- --format frames`): scene frames + detections.json.

`<folder>/detections.json`:
    {"frames": [{"file": "cam1/000001.jpg", "boxes": [[x1, y1, x2, y2], ...],
                 "identities": ["alice", 7, null, ...],   # optional, same length; omitted or null = unlabelled
                 "camera": "cam1"}]}                      # optional (default: the file's folder)
Boxes are in pixels of the original image (as the platform's `Box` type and any detector give them); a box may also
be written `{"x1": .., "y1": .., "x2": .., "y2": ..}` (the shape of the GraphQL `Detection.box`).

The frames are fed to the student exactly as the runtime feeds it (libs/model `image/geometry.ts`
`computeResizeGeometry` + `image/input-tensor.ts`): resized by the student manifest's `input.resize` (the default
student: letterbox, anchor top-left, padValue 0, 2-tap half-pixel bilinear without antialiasing) onto the model input
canvas, and the boxes mapped by the same scale and offset (`boxToModelInput`).

There is no video decoder here: turn a video into a frames folder first (`ffmpeg -i in.mp4 -vf fps=2 frames/%06d.jpg`).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import data as D

MIN_BOX_HEIGHT = 16
VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".ts", ".h264")
FFMPEG_HINT = "ffmpeg -i in.mp4 -vf fps=2 frames/%06d.jpg"
# The default student's `input` block (.models/default-student/manifest.json), used when no manifest sits next to
# --student.
DEFAULT_STUDENT_INPUT = {
    "height": 512, "width": 512, "resize": {"mode": "letterbox", "padValue": 0, "anchor": "top-left"},
    "colorOrder": "RGB", "scale": 1, "mean": [0, 0, 0], "std": [1, 1, 1],
}


class FootageError(ValueError):
    """A problem with a frames folder or its detections.json; the message names the frame and the problem."""


@dataclass
class SceneFrame:
    path: str
    file: str
    width: int
    height: int
    boxes: list[tuple[float, float, float, float]]
    identities: list[str | None]
    camera: str


@dataclass
class Footage:
    frames: list[SceneFrame]
    skipped_small: int = 0  # boxes under MIN_BOX_HEIGHT px tall
    dropped_frames: int = 0  # frames left without a box
    boxes: int = field(init=False)

    def __post_init__(self) -> None:
        self.boxes = sum(len(f.boxes) for f in self.frames)

    @property
    def labelled(self) -> bool:
        """True when every box has an identity (then PK sampling and probability KD apply)."""
        return self.boxes > 0 and all(i is not None for f in self.frames for i in f.identities)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _box(raw, where: str, k: int) -> tuple[float, float, float, float]:
    if isinstance(raw, dict) and set(raw) >= {"x1", "y1", "x2", "y2"}:
        raw = [raw["x1"], raw["y1"], raw["x2"], raw["y2"]]
    if not isinstance(raw, (list, tuple)) or len(raw) != 4 or not all(_is_number(v) for v in raw):
        raise FootageError(f"{where}: box {k} is {json.dumps(raw)[:80]}, expected [x1, y1, x2, y2] (4 finite numbers, pixels)")
    return tuple(float(v) for v in raw)


def list_frames(folder: str, min_height: int = MIN_BOX_HEIGHT) -> Footage:
    """Reads and validates `<folder>/detections.json` (image sizes are read from the files' headers)."""
    if not os.path.isdir(folder) and folder.lower().endswith(VIDEO_EXTENSIONS):
        raise FootageError(f"{folder} is a video; no video decoder is bundled: extract frames first "
                           f"(`{FFMPEG_HINT}`) and write detections.json next to them (libs/training/README.md)")
    if not os.path.isdir(folder):
        raise FootageError(f"--data {folder}: not a folder")
    path = os.path.join(folder, "detections.json")
    if not os.path.isfile(path):
        raise FootageError(f"{path} is missing: --format frames needs the frames' person boxes "
                           '({"frames": [{"file", "boxes": [[x1, y1, x2, y2], ...], "identities"?, "camera"?}]})')
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FootageError(f"{path} is not valid JSON: {e}") from None
    rows = doc.get("frames") if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not rows:
        raise FootageError(f'{path}: expected {{"frames": [...]}} with at least one frame')
    frames, skipped, dropped = [], 0, 0
    for n, row in enumerate(rows):
        name = row.get("file") if isinstance(row, dict) else None
        where = f"detections.json frames[{n}]" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(row, dict):
            raise FootageError(f"{where}: expected an object with file and boxes")
        if not isinstance(name, str) or not name:
            raise FootageError(f'{where}: "file" (path relative to the folder) is missing')
        image_path = os.path.join(folder, name)
        if not os.path.isfile(image_path):
            raise FootageError(f"{where}: file not found ({image_path})")
        try:
            with Image.open(image_path) as im:
                width, height = im.size
        except Exception as e:  # noqa: BLE001 - PIL raises several types; the user needs the file and the reason
            raise FootageError(f"{where}: not a readable image ({type(e).__name__}: {e})") from None
        raw_boxes = row.get("boxes")
        if not isinstance(raw_boxes, list):
            raise FootageError(f'{where}: "boxes" must be a list of [x1, y1, x2, y2]')
        raw_ids = row.get("identities")
        if raw_ids is None:
            raw_ids = [None] * len(raw_boxes)
        elif not isinstance(raw_ids, list):
            raise FootageError(f'{where}: "identities" must be a list (or omitted/null for unlabelled boxes)')
        elif len(raw_ids) != len(raw_boxes):
            raise FootageError(f"{where}: {len(raw_boxes)} boxes but {len(raw_ids)} identities (lengths must match)")
        boxes, identities = [], []
        for k, (raw, identity) in enumerate(zip(raw_boxes, raw_ids)):
            x1, y1, x2, y2 = _box(raw, where, k)
            if x2 <= x1 or y2 <= y1:
                raise FootageError(f"{where}: box {k} [{x1:g}, {y1:g}, {x2:g}, {y2:g}] has a non-positive size")
            if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
                raise FootageError(f"{where}: box {k} [{x1:g}, {y1:g}, {x2:g}, {y2:g}] is outside the "
                                   f"{width}x{height} image")
            if identity is not None and (isinstance(identity, bool) or not isinstance(identity, (str, int))):
                raise FootageError(f"{where}: identity {k} is {json.dumps(identity)[:40]}, expected a string, an integer or null")
            if y2 - y1 < min_height:
                skipped += 1
                continue
            boxes.append((x1, y1, x2, y2))
            identities.append(None if identity is None else str(identity))
        if not boxes:
            dropped += 1
            continue
        camera = row.get("camera")
        camera = str(camera) if camera is not None else (os.path.dirname(name) or "0")
        frames.append(SceneFrame(image_path, name, width, height, boxes, identities, camera))
    if not frames:
        raise FootageError(f"{path}: no box of at least {min_height} px tall in any frame")
    return Footage(frames, skipped, dropped)


def js_round(v: float) -> int:
    """JavaScript Math.round (halves go up), which the runtime's geometry uses."""
    return math.floor(v + 0.5)


@dataclass
class Geometry:
    """libs/model image/geometry.ts ResizeGeometry: where the original lands on the model input canvas."""
    resized_width: int
    resized_height: int
    offset_x: int
    offset_y: int
    scale_x: float
    scale_y: float

    def box_to_input(self, box):
        """boxToModelInput: a box in original pixels -> model-input pixels."""
        x1, y1, x2, y2 = box
        return (x1 * self.scale_x + self.offset_x, y1 * self.scale_y + self.offset_y,
                x2 * self.scale_x + self.offset_x, y2 * self.scale_y + self.offset_y)


def resize_geometry(width: int, height: int, canvas_width: int, canvas_height: int, resize: dict) -> Geometry:
    """A port of computeResizeGeometry (libs/model/src/lib/image/geometry.ts)."""
    if resize["mode"] == "stretch":
        return Geometry(canvas_width, canvas_height, 0, 0, canvas_width / width, canvas_height / height)
    scale = min(canvas_width / width, canvas_height / height)
    rw = min(canvas_width, max(1, js_round(width * scale)))
    rh = min(canvas_height, max(1, js_round(height * scale)))
    centred = resize.get("anchor") == "center"
    ox = (canvas_width - rw) // 2 if centred else 0
    oy = (canvas_height - rh) // 2 if centred else 0
    return Geometry(rw, rh, ox, oy, rw / width, rh / height)


def student_input(student_onnx: str) -> tuple[dict, bool]:
    """The `input` block of the manifest next to the student ONNX; (block, True), or the default student's (.., False)."""
    path = os.path.join(os.path.dirname(student_onnx), "manifest.json")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)["input"], True
    return DEFAULT_STUDENT_INPUT, False


def prepare_frame(im: Image.Image, spec: dict) -> tuple[torch.Tensor, Geometry]:
    """The student's input tensor [3, H, W] for a whole frame, as libs/model prepareImage computes it: resize by
    `spec.resize` (2-tap half-pixel bilinear, edges clamped, = torch bilinear with align_corners=False), padding
    `padValue`, colour order, (pixel * scale - mean) / std. With `resize.antialias` torch's antialiased bilinear is
    used, which is close to but not bit-identical with the runtime's."""
    geometry = resize_geometry(im.width, im.height, spec["width"], spec["height"], spec["resize"])
    x = torch.from_numpy(np.asarray(im.convert("RGB"), dtype=np.float32).copy()).permute(2, 0, 1)
    size = (geometry.resized_height, geometry.resized_width)
    antialias = bool(spec["resize"].get("antialias"))
    if (x.shape[1], x.shape[2]) != size:
        x = F.interpolate(x.unsqueeze(0), size=size, mode="bilinear", align_corners=False, antialias=antialias)[0]
    canvas = torch.full((3, spec["height"], spec["width"]), float(spec["resize"].get("padValue", 0)))
    canvas[:, geometry.offset_y:geometry.offset_y + size[0], geometry.offset_x:geometry.offset_x + size[1]] = x
    if spec.get("colorOrder") == "BGR":
        canvas = canvas.flip(0)
    mean = torch.tensor(spec.get("mean", [0, 0, 0]), dtype=torch.float32).view(3, 1, 1)
    std = torch.tensor(spec.get("std", [1, 1, 1]), dtype=torch.float32).view(3, 1, 1)
    return (canvas * float(spec.get("scale", 1)) - mean) / std, geometry


def crop_box(im: Image.Image, box, max_height: int) -> Image.Image:
    """The box cut out of the full-resolution frame (whole pixels, at least 1x1), then downscaled to at most
    `max_height` like the crop datasets' decoded images (data.load_images)."""
    x1, y1, x2, y2 = box
    left, top = min(int(math.floor(x1)), im.width - 1), min(int(math.floor(y1)), im.height - 1)
    right, bottom = max(left + 1, int(math.ceil(x2))), max(top + 1, int(math.ceil(y2)))
    return D.cap_height(im.crop((left, top, min(right, im.width), min(bottom, im.height))), max_height)
