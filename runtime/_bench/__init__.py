"""Benchmarking connector methods against recorded exchanges (`connector-runtime bench`)."""

from __future__ import annotations

from runtime._bench._engine import BenchReport, SideResult, Target, percentile, run_bench
from runtime._bench._report import format_table

__all__ = ["BenchReport", "SideResult", "Target", "format_table", "percentile", "run_bench"]
