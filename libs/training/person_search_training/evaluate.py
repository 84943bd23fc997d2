"""Cross-camera retrieval metrics, the CUHK03 cross-camera protocol:
queries = camera-A crops, gallery = camera-B crops, cosine ranking of L2-normalised embeddings,
AP = mean precision at each positive's rank, top-1 = CMC rank-1, averaged over queries."""
from __future__ import annotations

import numpy as np


def retrieval_metrics(query: np.ndarray, q_ids: list, gallery: np.ndarray, g_ids: list) -> dict:
    q = query / np.maximum(np.linalg.norm(query, axis=1, keepdims=True), 1e-12)
    g = gallery / np.maximum(np.linalg.norm(gallery, axis=1, keepdims=True), 1e-12)
    sims = q @ g.T
    return ranked_metrics([np.argsort(-row, kind="stable") for row in sims], q_ids, g_ids)


def ranked_metrics(orders, q_ids: list, g_ids: list) -> dict:
    """mAP / top-1 of one gallery ranking (indices, best first) per query; queries without a match are skipped."""
    g_ids_arr = np.array(g_ids)
    aps, top1 = [], []
    for order, qid in zip(orders, q_ids):
        hits = g_ids_arr[order] == qid
        if not hits.any():
            continue
        ranks = np.nonzero(hits)[0]
        aps.append(np.mean((np.arange(len(ranks)) + 1) / (ranks + 1)))
        top1.append(float(hits[0]))
    return {"mAP": float(np.mean(aps)), "top1": float(np.mean(top1)), "queries": len(aps)}


def split_by_camera(cameras: list[str]) -> tuple[list[int], list[int]]:
    """First camera (sorted) = queries, every other camera = gallery."""
    first = sorted(set(cameras))[0]
    q = [i for i, c in enumerate(cameras) if c == first]
    g = [i for i, c in enumerate(cameras) if c != first]
    return q, g
