import unittest

import torch

from person_search_training import losses as L


class LossTests(unittest.TestCase):
    def test_label_smoothing_matches_definition(self):
        logits = torch.tensor([[2.0, 0.0, -1.0]])
        labels = torch.tensor([0])
        eps = 0.1
        logp = torch.log_softmax(logits, dim=1)[0]
        expected = -((1 - eps + eps / 3) * logp[0] + eps / 3 * logp[1] + eps / 3 * logp[2])
        self.assertAlmostEqual(float(L.label_smoothing_ce(logits, labels, eps)), float(expected), places=5)

    def test_batch_hard_triplet_picks_hardest_pairs(self):
        # 1-D features: anchors of id 0 at 0 and 1, id 1 at 1.5 and 5.
        f = torch.tensor([[0.0], [1.0], [1.5], [5.0]])
        y = torch.tensor([0, 0, 1, 1])
        # anchor 0: hardest pos 1.0, hardest neg 1.5 -> relu(1-1.5+0.3)=0
        # anchor 1: pos 1.0, neg 0.5 -> 0.8 ; anchor 2: pos 3.5, neg 0.5 -> 3.3 ; anchor 3: pos 3.5, neg 4 -> 0
        expected = (0 + 0.8 + 3.3 + 0) / 4
        self.assertAlmostEqual(float(L.batch_hard_triplet(f, y, 0.3)), expected, places=4)

    def test_triplet_zero_when_separated(self):
        f = torch.tensor([[0.0], [0.1], [10.0], [10.1]])
        y = torch.tensor([0, 0, 1, 1])
        self.assertEqual(float(L.batch_hard_triplet(f, y, 0.3)), 0.0)

    def test_relation_losses_vanish_when_student_equals_teacher(self):
        t = torch.randn(8, 16)
        self.assertAlmostEqual(float(L.pairwise_relation_kd(t, t)), 0.0, places=6)
        self.assertAlmostEqual(float(L.feature_alignment(t, t)), 0.0, places=5)
        self.assertAlmostEqual(float(L.probability_kd(t, t)), 0.0, places=5)

    def test_triplet_relation_kd_penalises_swapped_features(self):
        t = torch.eye(4)
        good = L.triplet_relation_kd(t, t, margin=0.1)
        swapped = L.triplet_relation_kd(t[[1, 0, 2, 3]], t, margin=0.1)
        self.assertEqual(float(good), 0.0)
        self.assertGreater(float(swapped), 0.5)


if __name__ == "__main__":
    unittest.main()
