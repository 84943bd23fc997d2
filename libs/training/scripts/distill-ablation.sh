#!/usr/bin/env bash
# Short DKD distillation runs with each loss / augmentation switched off, summarised into an ablation table.
# usage: libs/training/scripts/distill-ablation.sh <teacher package> <train crops> <val crops> <out dir>
set -euo pipefail
teacher=$1 data=$2 val=$3 out=$4
common=(--teacher "$teacher" --data "$data" --val "$val" --format cuhk03 --max-crops 3000 --epochs 4 --threads "${THREADS:-1}")
run() { local name=$1; shift; PYTHONPATH=libs/training ${PYTHON:-/usr/bin/python3} -m person_search_training.distill "${common[@]}" --out "$out/$name" "$@" >"$out/$name.log" 2>&1; }
mkdir -p "$out"
run full
run no-jitter --no-jitter
run align-only --alpha-pair 0 --alpha-triplet 0 --alpha-prob 0
run no-align --alpha-align 0
run no-prob --alpha-prob 0
PYTHONPATH=libs/training ${PYTHON:-/usr/bin/python3} -m person_search_training.ablation --out "$out/ablation" \
  "all losses + jittered ROIs=$out/full" "no ROI jitter / flips=$out/no-jitter" "alignment only=$out/align-only" \
  "no alignment (relations + probability)=$out/no-align" "no probability KD=$out/no-prob"
