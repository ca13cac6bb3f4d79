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


def alsa_file(config: Path, reader: str) -> dict[str, str]:
    """An environment whose ALSA default device writes what is played to the command `reader`."""
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|{reader}"; format "raw" }}\n',
        encoding="utf-8",
    )
    return {"ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}"}
