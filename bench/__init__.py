"""Load and story-throughput benchmarks of Novel Engine (`python -m bench`, `make bench`).

The coordinator (this process) starts or finds the stack, drives load-generator
processes step by step, samples CPU and memory of every process, and writes the report.
"""
