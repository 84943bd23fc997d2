"""Identity-labelled crop datasets, PK sampling and the teacher's augmentations.

Formats (`--format`):
- cuhk03: `<folder>/IIII_KK.jpg`, identity IIII, camera A for KK 00-04, camera B for 05-09.
- market: Market-1501 style `PPPP_cCsS_FFFFFF_NN.jpg` (identity PPPP, camera C; -1/0000 junk skipped).
- json:   `<folder>/labels.json` = [{"file": "a.jpg", "identity": "alice", "camera": "door"}, ...].
"""
from __future__ import annotations

import json
import math
import os
import random
import re
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image


@dataclass
class Sample:
    path: str
    identity: str
    camera: str


def list_samples(folder: str, fmt: str) -> list[Sample]:
    if fmt == "cuhk03":
        out = []
        for name in sorted(os.listdir(folder)):
            m = re.match(r"^(\d+)_(\d+)\.(jpg|jpeg|png)$", name, re.I)
            if m:
                out.append(Sample(os.path.join(folder, name), m.group(1), "A" if int(m.group(2)) < 5 else "B"))
        return out
    if fmt == "market":
        out = []
        for name in sorted(os.listdir(folder)):
            m = re.match(r"^(-?\d+)_c(\d+)", name)
            if m and not m.group(1).startswith("-") and int(m.group(1)) != 0:
                out.append(Sample(os.path.join(folder, name), m.group(1), m.group(2)))
        return out
    if fmt == "json":
        with open(os.path.join(folder, "labels.json"), encoding="utf-8") as f:
            rows = json.load(f)
        return [Sample(os.path.join(folder, r["file"]), str(r["identity"]), str(r.get("camera", "0"))) for r in rows]
    raise ValueError(f"unknown --format {fmt} (cuhk03|market|json)")


def split_holdout(samples: list[Sample], holdout_ids: int, seed: int) -> tuple[list[Sample], list[Sample]]:
    """Keeps `holdout_ids` training identities out of training, for checks that do not look at val."""
    ids = sorted({s.identity for s in samples})
    rng = random.Random(seed)
    held = set(rng.sample(ids, min(holdout_ids, len(ids) // 5)))
    return [s for s in samples if s.identity not in held], [s for s in samples if s.identity in held]


def cap_height(im: Image.Image, max_height: int) -> Image.Image:
    """The image downscaled (bilinear, aspect kept) to at most `max_height` rows."""
    if im.height <= max_height:
        return im
    return im.resize((max(1, round(im.width * max_height / im.height)), max_height), Image.BILINEAR)


def load_images(samples: list[Sample], max_height: int) -> list[Image.Image]:
    """Decodes every crop once (small crops: the set fits in memory), downscaled to at most max_height."""
    return [cap_height(Image.open(s.path).convert("RGB"), max_height) for s in samples]


class PKSampler:
    """Batches of P identities x K crops each (identities with fewer than K crops are sampled with replacement)."""

    def __init__(self, labels: list[int], p: int, k: int, seed: int):
        self.by_id: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            self.by_id.setdefault(label, []).append(i)
        self.p, self.k = p, k
        self.rng = random.Random(seed)
        self.batches_per_epoch = max(1, math.ceil(len(labels) / (p * k)))

    def epoch(self) -> list[list[int]]:
        batches = []
        ids = list(self.by_id)
        for _ in range(self.batches_per_epoch):
            chosen = self.rng.sample(ids, min(self.p, len(ids)))
            batch = []
            for identity in chosen:
                pool = self.by_id[identity]
                picks = self.rng.sample(pool, self.k) if len(pool) >= self.k else [self.rng.choice(pool) for _ in range(self.k)]
                batch.extend(picks)
            batches.append(batch)
        return batches


class RandomBatchSampler:
    """Batches of `batch` random ROIs, for data without identities (no labels are read): each epoch is a fresh
    permutation cut into ceil(n / batch) batches, the last one topped up from the next permutation so every batch
    holds min(batch, n) distinct ROIs. Same interface as PKSampler."""

    def __init__(self, n: int, batch: int, seed: int):
        self.n, self.batch = n, min(batch, n)
        self.rng = random.Random(seed)
        self.batches_per_epoch = max(1, math.ceil(n / batch))

    def epoch(self) -> list[list[int]]:
        order = list(range(self.n))
        self.rng.shuffle(order)
        batches = [order[i:i + self.batch] for i in range(0, self.n, self.batch)][:self.batches_per_epoch]
        last = batches[-1]
        if len(last) < self.batch:
            taken = set(last)
            rest = [i for i in self.rng.sample(range(self.n), self.n) if i not in taken]
            last.extend(rest[:self.batch - len(last)])
        return batches


def jittered_box(width: float, height: float, enlarge: float, jitter: float, rng: random.Random) -> tuple[float, float, float, float]:
    """Spatial-invariant augmentation: the box is enlarged by up to `enlarge`, then re-cropped with a shift and
    scale jitter relative to its own size, so the embedder learns to survive imprecise detector boxes.
    Returns (x0, y0, x1, y1) in the crop's pixel coordinates; it may reach outside the image (padded)."""
    scale = 1.0 + rng.uniform(0.0, enlarge)
    bw = width * scale * (1.0 + rng.uniform(-jitter, jitter))
    bh = height * scale * (1.0 + rng.uniform(-jitter, jitter))
    cx = width / 2 + rng.uniform(-jitter, jitter) * width
    cy = height / 2 + rng.uniform(-jitter, jitter) * height
    return (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)


def to_tensor(im: Image.Image) -> torch.Tensor:
    """HWC uint8 -> CHW float in 0..255 (the CenterNet backbone's own input range)."""
    return torch.from_numpy(np.asarray(im, dtype=np.float32).copy()).permute(2, 0, 1)


@dataclass
class AugmentConfig:
    flip: bool = True
    color: float = 0.2
    erase: float = 0.5
    spatial: bool = True
    enlarge: float = 0.15
    jitter: float = 0.08


def augment(im: Image.Image, size: tuple[int, int], cfg: AugmentConfig, rng: random.Random) -> torch.Tensor:
    h, w = size
    if cfg.spatial:
        box = jittered_box(im.width, im.height, cfg.enlarge, cfg.jitter, rng)
        im = im.crop(tuple(round(v) for v in box))  # outside the crop PIL pads with black
    im = im.resize((w, h), Image.BILINEAR)
    if cfg.flip and rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    x = to_tensor(im)
    if cfg.color > 0:
        x = colour_jitter(x, cfg.color, rng)
    if cfg.erase > 0 and rng.random() < cfg.erase:
        x = random_erase(x, rng)
    return x


def colour_jitter(x: torch.Tensor, amount: float, rng: random.Random) -> torch.Tensor:
    brightness = 1 + rng.uniform(-amount, amount)
    contrast = 1 + rng.uniform(-amount, amount)
    saturation = 1 + rng.uniform(-amount, amount)
    x = x * brightness
    mean = x.mean()
    x = (x - mean) * contrast + mean
    grey = x.mean(dim=0, keepdim=True)
    x = (x - grey) * saturation + grey
    return x.clamp(0, 255)


def random_erase(x: torch.Tensor, rng: random.Random, area=(0.02, 0.3), ratio=(0.3, 3.3)) -> torch.Tensor:
    """Random erasing (Zhong et al.): a rectangle of random size and aspect filled with noise."""
    _, h, w = x.shape
    for _ in range(10):
        target = rng.uniform(*area) * h * w
        aspect = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
        eh, ew = int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
        if 0 < eh < h and 0 < ew < w:
            y0, x0 = rng.randint(0, h - eh), rng.randint(0, w - ew)
            x = x.clone()
            x[:, y0:y0 + eh, x0:x0 + ew] = torch.rand(3, eh, ew) * 255
            return x
    return x


def plain(im: Image.Image, size: tuple[int, int]) -> torch.Tensor:
    """Evaluation input: the crop stretched to the model input, like the platform does (resize mode 'stretch')."""
    return to_tensor(im.resize((size[1], size[0]), Image.BILINEAR))
