"""A non-editable install carries the built-in sessions and sounds inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from oxybreathe import __version__
from tests.conftest import ROOT, SESSIONS


def test_the_wheel_ships_sessions_and_runs_from_a_plain_install(tmp_path: Path):
    # Build the wheel offline with the hatchling already installed for the tests.
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = (tmp_path / "dist").glob("oxybreathe-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for session in SESSIONS.glob("*.yaml"):
        assert f"oxybreathe/sessions/{session.name}" in names
    assert "oxybreathe/sessions/oxybreathe-session.schema.json" in names
    # One version: the package's __version__ is the wheel's, and so its metadata's.
    assert wheel.name.startswith(f"oxybreathe-{__version__}-")
    metadata = zipfile.ZipFile(wheel).read(f"oxybreathe-{__version__}.dist-info/METADATA")
    assert f"\nVersion: {__version__}\n" in metadata.decode()

    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import oxybreathe.core.locations as l, oxybreathe as o;"
            "print(o.__file__); print(l.builtin_sessions_dir())",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    package_file, sessions_dir = where.stdout.split()
    assert package_file.startswith(str(target)), "the installed copy must be the one imported"
    assert sessions_dir.startswith(str(target))
    listing = subprocess.run(
        [sys.executable, "-m", "oxybreathe", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert listing.returncode == 0 and "box" in listing.stdout and "built-in" in listing.stdout
