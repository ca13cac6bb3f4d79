"""The README's promises stay true."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", readme)[:2]


def test_the_readme_opens_with_the_two_commands():
    start, test = _commands()
    assert start.endswith(".venv/bin/oxybreathe")
    assert "pytest" in test


def test_ci_runs_the_readmes_test_command_verbatim():
    _, test = _commands()
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_readme_names_every_apt_package_ci_installs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installed = set()
    for line in re.findall(r"apt-get install ([^\n>]+)", ci):
        installed |= {word for word in line.split() if not word.startswith("-")}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.search(r"sudo apt-get install ([a-z0-9 .+-]+)`", readme)
    assert named is not None, "the README says which apt packages the tests need"
    assert installed and installed <= set(named.group(1).split())
