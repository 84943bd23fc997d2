"""npm run distill -- --teacher <package folder> --data <folder> --format cuhk03|market|json|frames [--val <folder>] [--out <dir>]

DKD distillation of the student's re-ID branch. The student's detector stays frozen (detection cannot regress);
its re-ID branch RoiAligns the backbone's stride-16 map at each detected box and runs a small head that starts
as a copy of the teacher's last stage (the teacher was trained on the very same frozen stem), then is trained to
reproduce the teacher on detector features of whole frames:
- feature alignment into the teacher's space (1 - cosine), so student vectors can be searched against teacher
  vectors (manifest `alignedWith`);
- pair-wise relation KD (in-batch cosine-similarity matrices match);
- triplet-wise relation KD (a student feature is closer to its own teacher feature than to any other, by a margin);
- probability KD over identity prototypes (mean teacher feature per identity), only where identities exist;
- jittered ROIs and feature flips (feature-level spatial-invariant augmentation).
Training frames, by --format:
- cuhk03|market|json: identity-labelled crops, composed into frames (pasted on a black 512x512 canvas at random sizes);
- frames: a customer's own footage, `--data <folder>` of scene images + detections.json
  ({"frames": [{"file", "boxes": [[x1, y1, x2, y2], ...] (original pixels), "identities"?: [...], "camera"?}]}).
  Each frame is letterboxed onto the student's input exactly as the runtime feeds it (student manifest
  `input.resize`), its boxes mapped by the same scale/offset; teacher targets come from each box cut out of the
  full-resolution frame. Identities are optional: unless every box has one, probability KD is off and batches are
  random draws of 64 ROIs; every other term needs only the teacher's vectors of the same boxes. Boxes under 16 px
  tall are skipped. A video must be split into frames first: `ffmpeg -i in.mp4 -vf fps=2 frames/%06d.jpg`; boxes
  come from the platform (GraphQL `image(id) { url width height detections { box { x1 y1 x2 y2 } } }`) or any
  person detector (libs/training/README.md, "Distilling from your own footage").
Crop-query frames (`--crop-query-height`, default the student's `queryBoxes.cropQuery.personHeight`, 256) add every
crop once more, alone and centred at that height, as the platform embeds a query crop; the closing evaluation
measures both layouts. Teacher targets are flip-averaged when the teacher manifest says `flipAverage`, as the
platform computes the teacher vectors a student query is compared with.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torchvision.ops import roi_align

from . import data as D
from . import footage as FT
from .evaluate import ranked_metrics, retrieval_metrics, split_by_camera
from .export import export_onnx
from .losses import feature_alignment, pairwise_relation_kd, probability_kd, triplet_relation_kd
from .onnx_torch import OnnxSubgraph
from .teacher_model import STEM_TENSOR, STEMS

FEATURE_TENSOR = STEMS["stride16"]
STRIDE = 16
CANVAS = 512


def parse_args(argv):
    p = argparse.ArgumentParser(prog="npm run distill --", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--teacher", required=True, help="teacher model package folder (from npm run train:teacher)")
    p.add_argument("--data", required=True,
                   help="training data: a folder of identity-labelled crops (--format cuhk03|market|json; frames are "
                        "composed from them) or, with --format frames, a folder of your own scene frames + "
                        "detections.json (identities optional). A video: extract frames first "
                        "(ffmpeg -i in.mp4 -vf fps=2 frames/%%06d.jpg)")
    p.add_argument("--format", default="cuhk03", choices=["cuhk03", "market", "json", "frames"])
    p.add_argument("--val", help="identity-labelled crops folder for the closing evaluation (never trained on)")
    p.add_argument("--val-format", choices=["cuhk03", "market", "json"],
                   help="format of --val (default: cuhk03 with --format frames, else --format)")
    p.add_argument("--student", default=".models/default-student/model.onnx", help="student ONNX holding the detector backbone")
    p.add_argument("--out", default="tmp/distill-run")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--max-crops", type=int, default=2400,
                   help="crops used to compose training frames; with --format frames: boxes, taken as whole frames (CPU budget)")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--alpha-align", type=float, default=1.0)
    p.add_argument("--alpha-pair", type=float, default=10.0)
    p.add_argument("--alpha-triplet", type=float, default=1.0)
    p.add_argument("--alpha-prob", type=float, default=1.0)
    p.add_argument("--no-jitter", action="store_true", help="ablation: exact ROIs, no feature flips")
    p.add_argument("--crop-query-height", type=int, default=256,
                   help="also train on every crop alone, centred this many px tall, as a crop query is embedded (0: off)")
    p.add_argument("--teacher-flip", choices=["auto", "on", "off"], default="auto",
                   help="flip-averaged teacher targets (auto: when the teacher manifest says flipAverage)")
    p.add_argument("--model-id", default="distilled-student-head")
    return p.parse_args(argv)


def compose_frames(images: list[Image.Image], rng: random.Random, min_h: int, max_h: int):
    """Shelf-packs crops onto black CANVASxCANVAS frames. Returns [(frame, [(crop_index, box)])]."""
    frames, order, i = [], list(range(len(images))), 0
    while i < len(order):
        frame = Image.new("RGB", (CANVAS, CANVAS))
        placed, y = [], rng.randint(0, 16)
        while i < len(order):
            h = rng.randint(min_h, max_h)
            if y + h > CANVAS:
                break
            x = rng.randint(0, 16)
            while i < len(order):
                im = images[order[i]]
                w = max(8, round(h * im.width / im.height))
                if x + w > CANVAS:
                    break
                frame.paste(im.resize((w, h), Image.BILINEAR), (x, y))
                placed.append((order[i], (x, y, x + w, y + h)))
                x += w + rng.randint(2, 24)
                i += 1
            y += h + rng.randint(2, 24)
        frames.append((frame, placed))
    return frames


def crop_query_frames(images: list[Image.Image], height: int):
    """Every crop alone on a black CANVASxCANVAS frame, `height` px tall (narrower if it would not fit), centred:
    the layout the platform gives a query crop (libs/model image/crop-canvas.ts). Same shape as compose_frames."""
    frames = []
    for i, im in enumerate(images):
        fit = min(height / im.height, CANVAS / im.width, CANVAS / im.height)
        h = max(1, min(CANVAS, round(im.height * fit)))
        w = max(min(8, CANVAS), min(CANVAS, round(im.width * fit)))
        x, y = (CANVAS - w) // 2, (CANVAS - h) // 2
        frame = Image.new("RGB", (CANVAS, CANVAS))
        frame.paste(im.resize((w, h), Image.BILINEAR), (x, y))
        frames.append((frame, [(i, (x, y, x + w, y + h))]))
    return frames


def backbone_maps(backbone: OnnxSubgraph, frames) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([backbone((f if isinstance(f, torch.Tensor) else D.to_tensor(f)).unsqueeze(0)).half() for f, _ in frames])


def teacher_embeddings(teacher: OnnxSubgraph, images, size, flip: bool, batch=64) -> torch.Tensor:
    """Teacher vectors of the crops; with `flip`, of crop + mirror summed and normalised (manifest flipAverage)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.stack([D.plain(im, size) for im in images[i:i + batch]])
            out.append(F.normalize(teacher(x) + teacher(x.flip(3)), dim=1) if flip else teacher(x))
    return torch.cat(out)


def footage_frames(footage: FT.Footage, backbone, spec: dict, rng: random.Random, max_boxes: int, max_height: int = 320):
    """Whole frames of the footage (shuffled) until `max_boxes` boxes. Returns (crops, identities, frames, maps):
    every box cut out of the full-resolution frame (teacher input), its identity (None = unlabelled), the frames as
    [(None, [(crop index, box on the student's input canvas)])] and their backbone maps. Each frame is prepared
    exactly as the runtime feeds the student (footage.prepare_frame) and dropped once its map is computed."""
    order = list(range(len(footage.frames)))
    rng.shuffle(order)
    chosen, count = [], 0
    for k in order:
        if count >= max_boxes:
            break
        chosen.append(footage.frames[k])
        count += len(footage.frames[k].boxes)
    crops, identities, frames, maps = [], [], [], []
    for frame in chosen:
        with Image.open(frame.path) as raw:
            im = raw.convert("RGB")
        x, geometry = FT.prepare_frame(im, spec)
        placed = []
        for box, identity in zip(frame.boxes, frame.identities):
            placed.append((len(crops), geometry.box_to_input(box)))
            crops.append(FT.crop_box(im, box, max_height))
            identities.append(identity)
        maps.append(backbone_maps(backbone, [(x, placed)]))
        frames.append((None, placed))
    return crops, identities, frames, torch.cat(maps)


def batch_plan(crop_identities: list, rois, teacher_vectors: torch.Tensor, seed: int):
    """(sampler, prototypes). With an identity on every crop: PK batches (16 identities x 4 ROIs) and each
    identity's mean teacher vector for probability KD. Otherwise labels are not read at all: random batches of 64
    ROIs and no prototypes (probability KD off)."""
    if crop_identities and all(i is not None for i in crop_identities):
        label_of = {identity: k for k, identity in enumerate(sorted(set(crop_identities)))}
        labels = torch.tensor([label_of[i] for i in crop_identities])
        protos = F.normalize(torch.stack([teacher_vectors[labels == k].mean(0) for k in range(len(label_of))]), dim=1)
        return D.PKSampler([int(labels[i]) for _, _, i in rois], 16, 4, seed), protos
    return D.RandomBatchSampler(len(rois), 64, seed), None


def distill_losses(s: torch.Tensor, t: torch.Tensor, protos) -> dict:
    """The DKD terms of one batch; `prob` only with identity prototypes."""
    losses = {
        "align": feature_alignment(s, t),
        "pair": pairwise_relation_kd(s, t),
        "triplet": triplet_relation_kd(s, t),
    }
    if protos is not None:
        losses["prob"] = probability_kd(16 * s @ protos.T, 16 * t @ protos.T, temperature=2.0)
    return losses


class StudentHead(nn.Module):
    """RoiAlign over the stride-16 map, then the teacher's last stage + BNNeck + L2 norm (trainable copy)."""

    def __init__(self, teacher_onnx: str, out_hw: tuple[int, int]):
        super().__init__()
        self.head = OnnxSubgraph(teacher_onnx, ["embeddings"], input_name=STEM_TENSOR)
        self.out_hw = out_hw

    def pool(self, maps: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        return roi_align(maps, rois, self.out_hw, spatial_scale=1 / STRIDE, sampling_ratio=2, aligned=True)

    def forward(self, roi_features: torch.Tensor) -> torch.Tensor:
        return self.head(roi_features)


def jitter(box, rng: random.Random, amount=0.08):
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    jx0, jy0, jx1, jy1 = D.jittered_box(w, h, 0.0, amount, rng)
    return (x0 + jx0, y0 + jy0, x0 + jx1, y0 + jy1)


def student_embed(student: StudentHead, maps, frames, n_crops: int) -> torch.Tensor:
    out = torch.zeros(n_crops, 1)
    rows = []
    with torch.no_grad():
        for f, (_, placed) in enumerate(frames):
            if not placed:
                continue
            rois = torch.tensor([[0, *box] for _, box in placed], dtype=torch.float32)
            emb = student(student.pool(maps[f:f + 1].float(), rois))
            rows.extend(zip([i for i, _ in placed], emb))
    out = torch.zeros(n_crops, rows[0][1].shape[0])
    for i, e in rows:
        out[i] = e
    return out


def two_stage_metrics(student_q, student_g, teacher_q, teacher_g, q_ids, g_ids, top: int = 200) -> dict:
    """Stage 1 ranks the gallery by student cosine; stage 2 re-ranks its top `top` by teacher cosine."""
    s = student_q @ student_g.T
    t = teacher_q @ teacher_g.T
    orders = []
    for i in range(len(q_ids)):
        order = np.argsort(-s[i], kind="stable")
        head = order[:top]
        orders.append(np.concatenate([head[np.argsort(-t[i, head], kind="stable")], order[top:]]))
    return ranked_metrics(orders, q_ids, g_ids)


def evaluate(student, maps, frames, samples, teacher_emb, cq_maps=None, cq_frames=None) -> dict:
    """Teacher, student, student query -> teacher gallery and two-stage metrics with the crops in composed frames;
    with crop-query frames also `cropQuery*`: every crop embedded alone, as the platform embeds a query crop."""
    s = student_embed(student, maps, frames, len(samples)).numpy()
    t = teacher_emb.numpy()
    q, g = split_by_camera([x.camera for x in samples])
    ids = [x.identity for x in samples]
    qi, gi = [ids[i] for i in q], [ids[i] for i in g]
    metrics = {
        "teacher": retrieval_metrics(t[q], qi, t[g], gi),
        "student": retrieval_metrics(s[q], qi, s[g], gi),
        "studentQueryTeacherGallery": retrieval_metrics(s[q], qi, t[g], gi),
        "twoStage": two_stage_metrics(s[q], s[g], t[q], t[g], qi, gi),
    }
    if cq_frames:
        c = student_embed(student, cq_maps, cq_frames, len(samples)).numpy()
        metrics["cropQueryStudent"] = retrieval_metrics(c[q], qi, c[g], gi)
        metrics["cropQueryTeacherGallery"] = retrieval_metrics(c[q], qi, t[g], gi)
    return metrics


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    args.argv = list(argv)
    args.val_format = val_format = args.val_format or ("cuhk03" if args.format == "frames" else args.format)
    footage = None
    try:
        if args.format == "frames":
            footage = FT.list_frames(args.data)
        elif not os.path.isdir(args.data) and args.data.lower().endswith(FT.VIDEO_EXTENSIONS):
            raise FT.FootageError(f"{args.data} is a video; no video decoder is bundled: extract frames first "
                                  f"(`{FT.FFMPEG_HINT}`), write detections.json and use --format frames")
    except FT.FootageError as e:
        print(f"npm run distill: error: {e}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    with open(os.path.join(args.teacher, "manifest.json"), encoding="utf-8") as f:
        teacher_manifest = json.load(f)
    teacher_path = os.path.join(args.teacher, teacher_manifest["file"])
    size = (teacher_manifest["input"]["height"], teacher_manifest["input"]["width"])
    out_hw = (size[0] // STRIDE, size[1] // STRIDE)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    def log(msg: str) -> None:
        print(f"[{time.time() - t0:6.0f} s] {msg}", flush=True)

    teacher = OnnxSubgraph(teacher_path, ["embeddings"], input_name=teacher_manifest["input"]["name"]).eval()
    backbone = OnnxSubgraph(args.student, [FEATURE_TENSOR]).eval()
    teacher_flip = args.teacher_flip == "on" or (args.teacher_flip == "auto" and bool(teacher_manifest["embedding"].get("flipAverage")))
    cq_note = f" + {{}} crop-query frames at {args.crop_query_height} px" if args.crop_query_height > 0 else ""
    if footage is not None:
        spec, from_manifest = FT.student_input(args.student)
        log(f"footage {args.data}: {len(footage.frames)} frames, {footage.boxes} boxes ({footage.skipped_small} boxes under "
            f"{FT.MIN_BOX_HEIGHT} px tall skipped, {footage.dropped_frames} frames left without a box); student input "
            f"{spec['width']}x{spec['height']} {json.dumps(spec['resize'])}"
            f"{'' if from_manifest else ' (no manifest next to --student: the default student input assumed)'}")
        train_images, crop_ids, train_frames, train_maps = footage_frames(footage, backbone, spec, rng, args.max_crops)
        n_scene = len(train_frames)
        train_t = teacher_embeddings(teacher, train_images, size, teacher_flip)
        labelled = sum(i is not None for i in crop_ids)
        log(f"teacher embeddings of {len(train_images)} boxes cut from {n_scene} full-resolution frames "
            f"({labelled} with an identity, {len(set(i for i in crop_ids if i is not None))} identities; "
            f"flip-averaged: {teacher_flip})")
        if args.crop_query_height > 0:
            cq_frames = crop_query_frames(train_images, args.crop_query_height)
            train_maps = torch.cat([train_maps, backbone_maps(backbone, cq_frames)])
            train_frames += cq_frames
        log(f"detector feature maps of {len(train_frames)} training frames ({n_scene} letterboxed scene frames"
            f"{cq_note.format(len(train_images))})")
        data_note = (f"{n_scene} scene frames of `{args.data}` (your own footage, --format frames) with "
                     f"{len(train_images)} boxes, letterboxed as the runtime feeds the student; identities on "
                     f"{labelled} of them")
    else:
        samples = D.list_samples(args.data, args.format)
        ids = sorted({s.identity for s in samples})
        rng.shuffle(ids)
        chosen, count = set(), 0
        for identity in ids:  # whole identities, so batches hold positives for the relation and probability terms
            if count >= args.max_crops:
                break
            chosen.add(identity)
            count += sum(1 for s in samples if s.identity == identity)
        train = [s for s in samples if s.identity in chosen]
        crop_ids = [s.identity for s in train]
        train_images = D.load_images(train, 320)
        train_t = teacher_embeddings(teacher, train_images, size, teacher_flip)
        log(f"teacher embeddings of {len(train)} training crops ({len(chosen)} identities; flip-averaged: {teacher_flip})")
        train_frames = compose_frames(train_images, rng, 96, 256)
        if args.crop_query_height > 0:
            train_frames += crop_query_frames(train_images, args.crop_query_height)
        train_maps = backbone_maps(backbone, train_frames)
        log(f"detector feature maps of {len(train_frames)} training frames (composed{cq_note.format(len(train))})")
        data_note = f"frames composed from `{args.data}` crops ({args.format})"

    val = D.list_samples(args.val, val_format) if args.val else []
    if val:
        val_images = D.load_images(val, 320)
        val_t = teacher_embeddings(teacher, val_images, size, teacher_flip)
        val_frames = compose_frames(val_images, random.Random(args.seed + 1000), 96, 256)
        val_maps = backbone_maps(backbone, val_frames)
        val_cq_frames = crop_query_frames(val_images, args.crop_query_height or 256)
        val_cq_maps = backbone_maps(backbone, val_cq_frames)
        log(f"validation: {len(val)} crops in {len(val_frames)} composed frames and alone as crop queries")

    student = StudentHead(teacher_path, out_hw)
    history = []
    if val:
        history.append({"epoch": 0, **evaluate(student, val_maps, val_frames, val, val_t, val_cq_maps, val_cq_frames)})
        log("before distillation " + json.dumps(history[-1]))

    # Every ROI: (frame, box, crop index). Labels (when every crop has one) for PK batches and the prototype term.
    rois = [(f, box, i) for f, (_, placed) in enumerate(train_frames) for i, box in placed]
    sampler, protos = batch_plan(crop_ids, rois, train_t, args.seed)
    if protos is None:
        log(f"probability KD off: {sum(i is None for i in crop_ids)} of {len(crop_ids)} boxes have no identity "
            f"(--alpha-prob ignored); batches are random draws of {sampler.batch} ROIs, no PK sampling")
    params = [p for p in student.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=args.lr)
    total = args.epochs * sampler.batches_per_epoch
    step = 0
    training_started = time.time()  # the ETA counts training time only, not the set-up before it
    for epoch in range(args.epochs):
        student.train()
        sums = {"align": 0.0, "pair": 0.0, "triplet": 0.0, **({"prob": 0.0} if protos is not None else {})}
        for batch in sampler.epoch():
            for g in opt.param_groups:
                g["lr"] = args.lr * 0.5 * (1 + np.cos(np.pi * step / total))
            pooled, targets = [], []
            for k in batch:
                f, box, i = rois[k]
                b = box if args.no_jitter else jitter(box, rng)
                feat = student.pool(train_maps[f:f + 1].float(), torch.tensor([[0, *b]], dtype=torch.float32))
                if not args.no_jitter and rng.random() < 0.5:
                    feat = feat.flip(3)
                pooled.append(feat)
                targets.append(i)
            s = student(torch.cat(pooled))
            t = train_t[targets]
            losses = distill_losses(s, t, protos)
            weights = {"align": args.alpha_align, "pair": args.alpha_pair, "triplet": args.alpha_triplet, "prob": args.alpha_prob}
            loss = sum(weights[k] * v for k, v in losses.items() if weights[k] > 0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            for k, v in losses.items():
                sums[k] += float(v) / sampler.batches_per_epoch
        entry = {"epoch": epoch + 1, "loss": sums}
        if val:
            entry.update(evaluate(student, val_maps, val_frames, val, val_t, val_cq_maps, val_cq_frames))
        history.append(entry)
        eta = (time.time() - training_started) / step * (total - step)
        log(f"epoch {epoch + 1}/{args.epochs} ETA {eta / 60:.1f} min " + json.dumps(entry))
        with open(os.path.join(args.out, "history.json"), "w", encoding="utf-8") as f:
            json.dump(history, f, indent=2)

    export_head(student, args, teacher_manifest, out_hw, history, int(train_maps.shape[1]), teacher_flip,
                prob_kd=protos is not None, data_note=data_note)
    with open(os.path.join(args.out, "history.json"), "w", encoding="utf-8") as f:
        json.dump(history, f, indent=2)
    log(f"exported {args.out}/head.onnx")
    return 0


def export_head(student: StudentHead, args, teacher_manifest: dict, out_hw, history, channels: int, teacher_flip: bool,
                prob_kd: bool = True, data_note: str | None = None) -> None:
    """head.onnx (input `features` [N,C,h,w] -> output `embeddings`) + head.json in the strict format that
    libs/model-build's learned-weights reader expects, + MODEL_CARD.md (command, losses, metrics)."""
    head_path = os.path.join(args.out, "head.onnx")
    export_onnx(student.head, torch.rand(2, channels, *out_hw), head_path, "features", "embeddings")
    spec = {
        "featureMap": FEATURE_TENSOR,
        "stride": STRIDE,
        "channels": channels,
        "roiAlign": {"outputHeight": out_hw[0], "outputWidth": out_hw[1], "samplingRatio": 2, "mode": "avg",
                     "coordinateTransformationMode": "half_pixel"},
        "dimension": teacher_manifest["embedding"]["dimension"],
        "teacherSha256": teacher_manifest["sha256"],
        "version": "1.0.0",
    }
    with open(os.path.join(args.out, "head.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    last = history[-1] if history else {}
    first = history[0] if history else {}
    rows = []
    for label, entry in (("before distillation (teacher head on RoI features)", first), ("after distillation", last)):
        if entry.get("student"):
            crop = entry.get("cropQueryStudent"), entry.get("cropQueryTeacherGallery")
            rows.append(f"| {label} | {entry['teacher']['mAP']:.3f} | {entry['student']['mAP']:.3f} / {entry['student']['top1']:.3f} | "
                        f"{entry['studentQueryTeacherGallery']['mAP']:.3f} | {entry['twoStage']['mAP']:.3f} | "
                        + (f"{crop[0]['mAP']:.3f} / {crop[1]['mAP']:.3f} |" if crop[0] else "– |"))
    card = "\n".join([
        f"# {args.model_id}: DKD-distilled student re-ID head",
        "",
        f"- Distilled from teacher `{teacher_manifest['id']}` (sha256 {teacher_manifest['sha256']}): student vectors live in "
        "its space (student manifest `alignedWith`).",
        f"- Head: RoiAlign over `{FEATURE_TENSOR}` ({channels} channels, stride {STRIDE}) to {out_hw[0]}x{out_hw[1]}, then a "
        "copy of the teacher's last stage + BNNeck + L2 norm, trained; the detector is frozen (detection unchanged).",
        f"- Losses: alignment x{args.alpha_align}, pair-wise relation x{args.alpha_pair}, triplet-wise relation x{args.alpha_triplet}, "
        + (f"prototype probability KD x{args.alpha_prob}" if prob_kd else "prototype probability KD off (boxes without identities)")
        + f"; jittered ROIs and feature flips: {not args.no_jitter}; teacher targets "
        f"flip-averaged: {teacher_flip}; crop-query frames: {f'{args.crop_query_height} px' if args.crop_query_height > 0 else 'off'}. "
        f"Adam lr {args.lr}, cosine, {args.epochs} epochs, seed {args.seed}.",
        f"- Data: {data_note or args.data}"
        + ("; research-use data (CUHK03) makes these weights research-use too; commercial users distil from their own "
           "footage (see libs/training/README.md)." if args.format in ("cuhk03", "market") else "."),
        f"- Command: `npm run distill -- {' '.join(getattr(args, 'argv', sys.argv[1:]))}`",
        "",
        f"| {args.val or 'val'} ({args.val_format}; crops in composed 512x512 frames) | teacher mAP | student mAP / top-1 | student query → teacher gallery mAP | two-stage (student top-200 → teacher) mAP | crops alone as crop queries: student / student → teacher mAP |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ])
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(card)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
