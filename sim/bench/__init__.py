"""Benchmarks measured in one process: the model layer (`model_bench`) and whole runs."""
