"""--format frames: a customer's own footage (scene frames + detections.json) for distillation."""
import contextlib
import io
import json
import os
import shutil
import tempfile
import time
import unittest
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from person_search_training import data as D
from person_search_training import distill as DS
from person_search_training import footage as FT

REPO = Path(__file__).resolve().parents[3]
STUDENT = REPO / ".models" / "default-student" / "model.onnx"
TEACHER = REPO / "libs" / "training" / "weights" / "teacher"
TOP_LEFT = {"mode": "letterbox", "padValue": 0, "anchor": "top-left"}


def write_footage(folder: str, frames: list[dict], sizes: dict[str, tuple[int, int]]) -> None:
    for name, (w, h) in sizes.items():
        os.makedirs(os.path.dirname(os.path.join(folder, name)) or folder, exist_ok=True)
        Image.new("RGB", (w, h), (90, 90, 90)).save(os.path.join(folder, name))
    with open(os.path.join(folder, "detections.json"), "w", encoding="utf-8") as f:
        json.dump({"frames": frames}, f)


class DetectionsJsonTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="footage-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.sizes = {"cam1/000001.jpg": (640, 480), "cam2/000001.jpg": (1920, 1080)}

    def load(self, frames):
        write_footage(self.dir, frames, self.sizes)
        return FT.list_frames(self.dir)

    def error(self, frames) -> str:
        with self.assertRaises(FT.FootageError) as ctx:
            self.load(frames)
        return str(ctx.exception)

    def test_parses_boxes_identities_cameras_and_skips_small_boxes(self):
        footage = self.load([
            {"file": "cam1/000001.jpg", "boxes": [[10, 20, 60, 200], [100, 100, 110, 110.5], {"x1": 0, "y1": 0, "x2": 640, "y2": 480}],
             "identities": ["alice", 7, None]},
            {"file": "cam2/000001.jpg", "boxes": [[1800, 900, 1920, 1080]], "camera": "door"},
        ])
        self.assertEqual(footage.skipped_small, 1)  # the 10.5 px tall box
        self.assertEqual(footage.boxes, 3)
        a, b = footage.frames
        self.assertEqual(a.boxes, [(10.0, 20.0, 60.0, 200.0), (0.0, 0.0, 640.0, 480.0)])
        self.assertEqual(a.identities, ["alice", None])
        self.assertEqual((a.width, a.height, a.camera), (640, 480, "cam1"))
        self.assertEqual((b.identities, b.camera), ([None], "door"))
        self.assertFalse(footage.labelled)
        self.assertTrue(self.load([{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40, 100]], "identities": [3]}]).labelled)

    def test_frames_left_without_a_box_are_dropped(self):
        footage = self.load([{"file": "cam1/000001.jpg", "boxes": []},
                             {"file": "cam2/000001.jpg", "boxes": [[0, 0, 50, 8]]},
                             {"file": "cam2/000001.jpg", "boxes": [[0, 0, 50, 80]]}])
        self.assertEqual((len(footage.frames), footage.dropped_frames, footage.skipped_small), (1, 2, 1))

    def test_missing_file(self):
        msg = self.error([{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40, 100]]}, {"file": "cam3/gone.jpg", "boxes": []}])
        self.assertIn("frames[1] (cam3/gone.jpg)", msg)
        self.assertIn("file not found", msg)

    def test_box_outside_the_image(self):
        msg = self.error([{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40, 100], [600, 10, 641, 200]]}])
        self.assertIn("frames[0] (cam1/000001.jpg): box 1 [600, 10, 641, 200] is outside the 640x480 image", msg)
        self.assertIn("outside", self.error([{"file": "cam1/000001.jpg", "boxes": [[-1, 0, 40, 100]]}]))

    def test_box_with_non_positive_size(self):
        msg = self.error([{"file": "cam2/000001.jpg", "boxes": [[50, 10, 50, 200]]}])
        self.assertIn("frames[0] (cam2/000001.jpg): box 0 [50, 10, 50, 200] has a non-positive size", msg)
        self.assertIn("non-positive", self.error([{"file": "cam2/000001.jpg", "boxes": [[10, 300, 50, 200]]}]))

    def test_length_mismatch(self):
        msg = self.error([{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40, 100], [50, 0, 90, 100]], "identities": ["a"]}])
        self.assertIn("frames[0] (cam1/000001.jpg): 2 boxes but 1 identities", msg)

    def test_malformed_entries(self):
        self.assertIn("expected [x1, y1, x2, y2]", self.error([{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40]]}]))
        self.assertIn('"file"', self.error([{"boxes": []}]))
        self.assertIn("identity 0", self.error([{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40, 100]], "identities": [True]}]))
        self.assertIn('{"frames"', self.error([]))

    def test_missing_detections_json_and_video_input(self):
        with self.assertRaises(FT.FootageError) as ctx:
            FT.list_frames(self.dir)
        self.assertIn("detections.json is missing", str(ctx.exception))
        video = os.path.join(self.dir, "in.mp4")
        Path(video).write_bytes(b"\0")
        with self.assertRaises(FT.FootageError) as ctx:
            FT.list_frames(video)
        self.assertIn("ffmpeg -i in.mp4 -vf fps=2 frames/%06d.jpg", str(ctx.exception))

    def test_main_prints_one_error_and_exits_2_without_a_traceback(self):
        write_footage(self.dir, [{"file": "cam1/000001.jpg", "boxes": [[0, 0, 40, 100]], "identities": [1, 2]}], self.sizes)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = DS.main(["--teacher", "/nonexistent", "--data", self.dir, "--format", "frames"])
        self.assertEqual(code, 2)
        self.assertEqual(err.getvalue().count("\n"), 1)
        self.assertIn("npm run distill: error: detections.json frames[0] (cam1/000001.jpg): 1 boxes but 2 identities", err.getvalue())
        self.assertNotIn("Traceback", err.getvalue())


class LetterboxGeometryTests(unittest.TestCase):
    """Expected numbers computed by hand from libs/model image/geometry.ts (computeResizeGeometry, boxToModelInput)."""

    def test_1920x1080_onto_512_top_left(self):
        g = FT.resize_geometry(1920, 1080, 512, 512, TOP_LEFT)
        # scale = min(512/1920, 512/1080) = 0.2667: 1920x1080 -> 512x288, no offset (anchor top-left)
        self.assertEqual((g.resized_width, g.resized_height, g.offset_x, g.offset_y), (512, 288, 0, 0))
        np.testing.assert_allclose(g.box_to_input((960, 540, 1060, 840)), (256, 144, 282.6666667, 224), atol=1e-6)

    def test_333x777_onto_512_rounds_like_math_round(self):
        g = FT.resize_geometry(333, 777, 512, 512, TOP_LEFT)
        # scale = 512/777: width 333 * 512/777 = 219.43 -> 219, height 512; scaleX = 219/333, scaleY = 512/777
        self.assertEqual((g.resized_width, g.resized_height, g.offset_x, g.offset_y), (219, 512, 0, 0))
        np.testing.assert_allclose(g.box_to_input((33.3, 77.7, 333, 777)), (21.9, 51.2, 219, 512), atol=1e-6)
        c = FT.resize_geometry(333, 777, 512, 512, {**TOP_LEFT, "anchor": "center"})
        self.assertEqual((c.offset_x, c.offset_y), (146, 0))  # floor((512 - 219) / 2)
        np.testing.assert_allclose(c.box_to_input((33.3, 77.7, 333, 777)), (167.9, 51.2, 365, 512), atol=1e-6)

    def test_the_default_student_manifest_is_the_one_assumed(self):
        if not (STUDENT.parent / "manifest.json").is_file():
            self.skipTest(f"{STUDENT.parent}/manifest.json absent (npm run models)")
        spec, found = FT.student_input(str(STUDENT))
        self.assertTrue(found)
        self.assertEqual({k: spec[k] for k in FT.DEFAULT_STUDENT_INPUT}, FT.DEFAULT_STUDENT_INPUT)

    def test_frame_pixels_equal_the_runtime_bilinear_letterbox(self):
        """prepare_frame against a numpy port of input-tensor.ts writeRegion (columnTaps/rowTap, no antialias)."""
        rng = np.random.default_rng(0)
        src = rng.integers(0, 256, (23, 37, 3), dtype=np.uint8)
        spec = {**FT.DEFAULT_STUDENT_INPUT, "width": 16, "height": 16, "resize": {**TOP_LEFT, "padValue": 7}}
        for width, height, resize in ((16, 16, spec["resize"]), (64, 64, {**TOP_LEFT, "anchor": "center"})):
            s = {**spec, "width": width, "height": height, "resize": resize}
            x, g = FT.prepare_frame(Image.fromarray(src), s)
            expected = np.full((3, height, width), float(resize["padValue"]), dtype=np.float64)
            for ty in range(g.resized_height):
                sy = min(max((ty + 0.5) * 23 / g.resized_height - 0.5, 0), 22)
                y0, wy = int(np.floor(sy)), sy - np.floor(sy)
                y1 = min(y0 + 1, 22)
                for tx in range(g.resized_width):
                    sx = min(max((tx + 0.5) * 37 / g.resized_width - 0.5, 0), 36)
                    x0, wx = int(np.floor(sx)), sx - np.floor(sx)
                    x1 = min(x0 + 1, 36)
                    up = src[y0, x0] * (1 - wx) + src[y0, x1] * wx
                    lo = src[y1, x0] * (1 - wx) + src[y1, x1] * wx
                    expected[:, ty + g.offset_y, tx + g.offset_x] = up * (1 - wy) + lo * wy
            np.testing.assert_allclose(x.numpy(), expected, atol=1e-3)

    def test_crop_is_cut_from_the_full_resolution_frame(self):
        im = Image.new("RGB", (1920, 1080))
        im.paste((200, 0, 0), (100, 100, 140, 1000))
        crop = FT.crop_box(im, (100.4, 100.6, 139.5, 999.2), 320)
        self.assertEqual(crop.height, 320)  # 900 px tall box downscaled like the crop datasets (<= 320)
        self.assertEqual(crop.getpixel((crop.width // 2, 160)), (200, 0, 0))
        self.assertEqual(FT.crop_box(im, (100, 100, 140, 200), 320).size, (40, 100))


class UnlabelledBatchingTests(unittest.TestCase):
    def test_without_identities_batches_are_random_64s_and_probability_kd_is_off(self):
        rois = [(0, (0, 0, 10, 10), i % 150) for i in range(300)]
        t = torch.nn.functional.normalize(torch.randn(150, 8), dim=1)
        sampler, protos = DS.batch_plan([None] * 150, rois, t, seed=3)
        self.assertIsInstance(sampler, D.RandomBatchSampler)
        self.assertIsNone(protos)
        batches = sampler.epoch()
        self.assertEqual(len(batches), 5)  # ceil(300 / 64)
        covered = set()
        for batch in batches:
            self.assertEqual(len(batch), 64)
            self.assertEqual(len(set(batch)), 64)
            covered.update(batch)
        self.assertEqual(covered, set(range(300)))
        # Labels are never read: a partly labelled set (not every box) draws exactly the same batches.
        partly = ["p%d" % (i % 7) if i % 2 else None for i in range(150)]
        again, protos2 = DS.batch_plan(partly, rois, t, seed=3)
        self.assertIsNone(protos2)
        self.assertEqual(again.epoch(), DS.batch_plan([None] * 150, rois, t, seed=3)[0].epoch())
        s = torch.nn.functional.normalize(torch.randn(64, 8), dim=1)
        self.assertEqual(set(DS.distill_losses(s, t[:64], None)), {"align", "pair", "triplet"})

    def test_with_identities_on_every_box_pk_sampling_and_prototypes_as_before(self):
        ids = ["a", "b", "c", "d"] * 10
        rois = [(0, (0, 0, 10, 10), i) for i in range(40)]
        t = torch.nn.functional.normalize(torch.randn(40, 8), dim=1)
        sampler, protos = DS.batch_plan(ids, rois, t, seed=0)
        self.assertIsInstance(sampler, D.PKSampler)
        self.assertEqual(tuple(protos.shape), (4, 8))
        self.assertIn("prob", DS.distill_losses(t[:16], t[:16], protos))

    def test_small_sets_give_full_distinct_batches(self):
        batches = D.RandomBatchSampler(10, 64, 0).epoch()
        self.assertEqual(len(batches), 1)
        self.assertEqual(sorted(batches[0]), list(range(10)))


class FootageEndToEndTests(unittest.TestCase):
    def test_two_generated_frames_distil_and_export_a_head(self):
        missing = [str(p) for p in (STUDENT, TEACHER / "manifest.json") if not p.is_file()]
        if missing:
            print(f"\nfootage end-to-end test skipped: {', '.join(missing)} absent (npm run models / committed teacher)")
            self.skipTest(f"{', '.join(missing)} absent")
        folder, out = tempfile.mkdtemp(prefix="footage-e2e-"), tempfile.mkdtemp(prefix="footage-out-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.addCleanup(shutil.rmtree, out, True)
        frames = []
        for n, (w, h) in enumerate(((640, 480), (800, 450))):
            im = Image.new("RGB", (w, h), (70, 90, 60))
            draw = ImageDraw.Draw(im)
            boxes = []
            for k in range(3):  # coloured "people": a torso and legs of different colours
                x1, y1 = 60 + 200 * k + 10 * n, 40 + 30 * k
                x2, y2 = x1 + 60 + 10 * k, y1 + 180 + 20 * n
                draw.rectangle((x1, y1, x2, (y1 + y2) // 2), fill=(50 + 90 * k, 30 * n, 200 - 60 * k))
                draw.rectangle((x1, (y1 + y2) // 2, x2, y2), fill=(20, 60 + 50 * k, 120))
                boxes.append([x1, y1, x2 + 1, y2 + 1])
            boxes.append([5, 5, 15, 15])  # under 16 px: skipped
            name = f"cam{n}/{n:06d}.jpg"
            os.makedirs(os.path.join(folder, f"cam{n}"), exist_ok=True)
            im.save(os.path.join(folder, name))
            frames.append({"file": name, "boxes": boxes})
        with open(os.path.join(folder, "detections.json"), "w", encoding="utf-8") as f:
            json.dump({"frames": frames}, f)
        stdout = io.StringIO()
        t0 = time.time()
        with contextlib.redirect_stdout(stdout):
            code = DS.main(["--teacher", str(TEACHER), "--student", str(STUDENT), "--data", folder, "--format", "frames",
                            "--epochs", "1", "--max-crops", "8", "--threads", "1", "--out", out])
        log = stdout.getvalue()
        self.assertEqual(code, 0, log)
        self.assertLess(time.time() - t0, 120, log)
        self.assertIn("2 frames, 6 boxes (2 boxes under 16 px tall skipped", log)
        self.assertEqual(log.count("probability KD off"), 1, log)
        self.assertTrue(os.path.getsize(os.path.join(out, "head.onnx")) > 0)
        with open(os.path.join(out, "head.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["featureMap"], DS.FEATURE_TENSOR)
        with open(os.path.join(out, "history.json"), encoding="utf-8") as f:
            history = json.load(f)
        self.assertEqual(set(history[-1]["loss"]), {"align", "pair", "triplet"})
        self.assertIn("probability KD off", Path(out, "MODEL_CARD.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    unittest.main()
