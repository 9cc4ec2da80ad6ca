"""Synthetic sample data in the canonical format, with injected, documented problems.

    from reinstate.sample import generate_sample, write_sample
    sample = generate_sample(orders=3000, days=120, seed=7, end="2026-11-15")
    write_sample(sample, "data/sample")   # orders.csv, feedback.csv, ..., messages.csv, truth.json

Policy (products, carriers, background rates, injection rates) is in catalog.yaml; buyer texts in texts.yaml.
What each cause does and where it sits is recorded in ``sample.truth`` (truth.json).
"""
from .generate import CAUSES, TABLES, Sample, generate_sample
from .write import write_sample

__all__ = ["CAUSES", "TABLES", "Sample", "generate_sample", "write_sample"]
