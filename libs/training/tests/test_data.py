import random
import unittest

import numpy as np
import torch
from PIL import Image

from person_search_training import data as D
from person_search_training.evaluate import retrieval_metrics


class SamplerTests(unittest.TestCase):
    def test_pk_batches_hold_p_identities_with_k_crops(self):
        labels = [i // 5 for i in range(50)] + [10]  # identity 10 has one crop only
        sampler = D.PKSampler(labels, p=4, k=3, seed=0)
        batches = sampler.epoch()
        self.assertEqual(len(batches), sampler.batches_per_epoch)
        for batch in batches:
            self.assertEqual(len(batch), 12)
            ids = [labels[i] for i in batch]
            self.assertEqual(len(set(ids)), 4)
            for identity in set(ids):
                self.assertEqual(ids.count(identity), 3)


class AugmentationTests(unittest.TestCase):
    def test_jittered_box_stays_near_the_box(self):
        rng = random.Random(0)
        for _ in range(200):
            x0, y0, x1, y1 = D.jittered_box(100, 200, enlarge=0.15, jitter=0.08, rng=rng)
            w, h = x1 - x0, y1 - y0
            self.assertGreaterEqual(w, 100 * 0.92 - 1e-6)
            self.assertLessEqual(w, 100 * 1.15 * 1.08 + 1e-6)
            self.assertGreaterEqual(h, 200 * 0.92 - 1e-6)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            self.assertLessEqual(abs(cx - 50), 8 + 1e-6)
            self.assertLessEqual(abs(cy - 100), 16 + 1e-6)

    def test_augment_output_shape_and_range(self):
        im = Image.fromarray((np.random.RandomState(0).rand(90, 40, 3) * 255).astype(np.uint8))
        rng = random.Random(1)
        x = D.augment(im, (64, 32), D.AugmentConfig(), rng)
        self.assertEqual(tuple(x.shape), (3, 64, 32))
        self.assertGreaterEqual(float(x.min()), 0.0)
        self.assertLessEqual(float(x.max()), 255.0)

    def test_flip_only_mirrors(self):
        arr = np.zeros((8, 4, 3), np.uint8)
        arr[:, 0] = 255
        im = Image.fromarray(arr)
        cfg = D.AugmentConfig(flip=True, color=0, erase=0, spatial=False)
        outs = {float(D.augment(im, (8, 4), cfg, random.Random(s))[0, 0, 3]) for s in range(20)}
        self.assertEqual(outs, {0.0, 255.0})

    def test_random_erase_changes_a_rectangle_only(self):
        x = torch.zeros(3, 64, 32)
        y = D.random_erase(x, random.Random(3))
        changed = (y != 0).any(dim=0).nonzero()
        self.assertGreater(len(changed), 0)
        rows, cols = changed[:, 0], changed[:, 1]
        area = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        self.assertLessEqual(int(area), 64 * 32 * 0.31)


class MetricTests(unittest.TestCase):
    def test_perfect_and_reversed_rankings(self):
        q = np.array([[1.0, 0.0], [0.0, 1.0]])
        g = np.array([[1.0, 0.0], [0.0, 1.0]])
        m = retrieval_metrics(q, ["a", "b"], g, ["a", "b"])
        self.assertEqual((m["mAP"], m["top1"]), (1.0, 1.0))
        m = retrieval_metrics(q, ["a", "b"], g, ["b", "a"])
        self.assertEqual((m["mAP"], m["top1"]), (0.5, 0.0))


if __name__ == "__main__":
    unittest.main()
