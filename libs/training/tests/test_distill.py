import random
import unittest

import numpy as np
import torch
from PIL import Image

from person_search_training import distill as DS


class ComposeFramesTests(unittest.TestCase):
    def test_boxes_are_inside_and_disjoint_and_hold_the_crop(self):
        rng = random.Random(0)
        colours = [(i * 20 % 255, 100, 200) for i in range(30)]
        crops = [Image.new("RGB", (40, 100), c) for c in colours]
        frames = DS.compose_frames(crops, rng, 96, 256)
        placed = [(f, i, box) for f, (_, p) in enumerate(frames) for i, box in p]
        self.assertEqual(sorted(i for _, i, _ in placed), list(range(30)))
        for f, i, (x0, y0, x1, y1) in placed:
            self.assertTrue(0 <= x0 < x1 <= DS.CANVAS and 0 <= y0 < y1 <= DS.CANVAS)
            centre = frames[f][0].getpixel(((x0 + x1) // 2, (y0 + y1) // 2))
            self.assertEqual(centre, colours[i])
        for f, (_, p) in enumerate(frames):
            for a in range(len(p)):
                for b in range(a + 1, len(p)):
                    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = p[a][1], p[b][1]
                    self.assertTrue(ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0)


class CropQueryFramesTests(unittest.TestCase):
    def test_each_crop_alone_centred_at_the_query_height_as_the_runtime_pastes_it(self):
        tall, wide = Image.new("RGB", (40, 100), (200, 10, 10)), Image.new("RGB", (600, 100), (10, 200, 10))
        frames = DS.crop_query_frames([tall, wide], 256)
        self.assertEqual([placed for _, placed in frames], [[(0, (205, 128, 307, 384))], [(1, (0, 213, 512, 298))]])
        canvas = frames[0][0]
        self.assertEqual(canvas.size, (DS.CANVAS, DS.CANVAS))
        self.assertEqual(canvas.getpixel((256, 256)), (200, 10, 10))
        self.assertEqual(canvas.getpixel((150, 256)), (0, 0, 0))  # black around it, nothing else on the frame


class TeacherTargetTests(unittest.TestCase):
    def test_flip_averaged_targets_are_unit_length_and_mirror_invariant(self):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten())
        crop = Image.fromarray(np.random.default_rng(0).integers(0, 255, (24, 12, 3), dtype=np.uint8))
        mirrored = crop.transpose(Image.FLIP_LEFT_RIGHT)
        a, b = DS.teacher_embeddings(net, [crop, mirrored], (24, 12), flip=True)
        self.assertAlmostEqual(float(a.norm()), 1.0, places=5)
        self.assertTrue(torch.allclose(a, b, atol=1e-5))
        plain = DS.teacher_embeddings(net, [crop, mirrored], (24, 12), flip=False)
        self.assertFalse(torch.allclose(plain[0], plain[1], atol=1e-3))


class TwoStageTests(unittest.TestCase):
    def test_teacher_rerank_fixes_the_student_order_inside_the_shortlist(self):
        ids = ["a", "b", "c"]
        teacher = np.eye(3)
        student = np.eye(3)[[1, 2, 0]]  # student ranks every query's true match last
        full = DS.two_stage_metrics(student, np.eye(3), teacher, teacher, ids, ids, top=3)
        self.assertEqual(full["mAP"], 1.0)
        short = DS.two_stage_metrics(np.eye(3), np.eye(3)[[1, 2, 0]], teacher, teacher, ids, ids, top=1)
        self.assertLess(short["mAP"], 1.0)


class RoiPoolTests(unittest.TestCase):
    def test_roi_align_reads_the_box_region_of_the_stride_16_map(self):
        maps = torch.zeros(1, 1, 32, 32)
        maps[0, 0, 3:9, 1:5] = 1.0  # covers input pixels x 16..80, y 48..144 (cell centres at 16*i+8)
        inside = DS.roi_align(maps, torch.tensor([[0, 32.0, 64.0, 64.0, 128.0]]), (4, 2), spatial_scale=1 / 16,
                              sampling_ratio=2, aligned=True)
        outside = DS.roi_align(maps, torch.tensor([[0, 256.0, 256.0, 320.0, 384.0]]), (4, 2), spatial_scale=1 / 16,
                               sampling_ratio=2, aligned=True)
        self.assertTrue(torch.allclose(inside, torch.ones_like(inside)))
        self.assertTrue(torch.allclose(outside, torch.zeros_like(outside)))


if __name__ == "__main__":
    unittest.main()
