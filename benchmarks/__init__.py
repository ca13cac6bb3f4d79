"""Benchmarks for oxybreathe: figures measured beside their references (see docs/performance.md)."""
