"""Offline training tools for the person search platform (teacher re-ID training, DKD student distillation).

Never imported by the platform: it only produces ONNX weights that `npm run models` assembles.
"""
