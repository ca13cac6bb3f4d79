"""Benchmarks for oxybreathe: figures measured beside their references (docs/performance.md)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def oxybreathe() -> list[str]:
    """The command a user types: the installed script beside this Python, else `-m`."""
    script = Path(sys.executable).with_name("oxybreathe")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oxybreathe"]


def homes(folder: Path) -> dict[str, str]:
    """XDG config, data, state and cache folders of its own, under `folder`."""
    return {
        f"XDG_{kind.upper()}_HOME": str(folder / kind)
        for kind in ("config", "data", "state", "cache")
    }
