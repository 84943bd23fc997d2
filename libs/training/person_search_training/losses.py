"""Losses: identity (label-smoothed softmax), batch-hard triplet, and the DKD distillation terms."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def label_smoothing_ce(logits: torch.Tensor, labels: torch.Tensor, epsilon: float = 0.1) -> torch.Tensor:
    n = logits.shape[1]
    logp = F.log_softmax(logits, dim=1)
    target = torch.full_like(logp, epsilon / n)
    target.scatter_(1, labels.unsqueeze(1), 1 - epsilon + epsilon / n)
    return -(target * logp).sum(dim=1).mean()


def pairwise_distance(x: torch.Tensor) -> torch.Tensor:
    sq = (x * x).sum(dim=1, keepdim=True)
    d2 = sq + sq.t() - 2 * x @ x.t()
    return d2.clamp(min=1e-12).sqrt()


def batch_hard_triplet(features: torch.Tensor, labels: torch.Tensor, margin: float = 0.3) -> torch.Tensor:
    """Hermans et al.: for each anchor, its farthest positive and nearest negative in the batch."""
    d = pairwise_distance(features)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = (d * same.float()).max(dim=1).values
    hardest_neg = (d + same.float() * 1e6).min(dim=1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


def feature_alignment(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """1 - cosine between each student feature and its teacher feature (both in the teacher's space)."""
    return (1 - F.cosine_similarity(student, teacher, dim=1)).mean()


def pairwise_relation_kd(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """In-batch cosine similarity matrices of student and teacher should match."""
    s = F.normalize(student, dim=1)
    t = F.normalize(teacher, dim=1)
    return F.mse_loss(s @ s.t(), t @ t.t())


def triplet_relation_kd(student: torch.Tensor, teacher: torch.Tensor, margin: float = 0.1) -> torch.Tensor:
    """A student feature must be closer (cosine) to its own teacher feature than to any other teacher
    feature in the batch, by `margin`."""
    s = F.normalize(student, dim=1)
    t = F.normalize(teacher, dim=1)
    sim = s @ t.t()
    own = sim.diag()
    others = sim - torch.eye(len(sim), device=sim.device) * 1e6
    return F.relu(others.max(dim=1).values - own + margin).mean()


def probability_kd(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float = 4.0) -> torch.Tensor:
    """Hinton KD over identity classes (only where identities exist)."""
    t = temperature
    return F.kl_div(F.log_softmax(student_logits / t, dim=1), F.softmax(teacher_logits / t, dim=1), reduction="batchmean") * t * t
