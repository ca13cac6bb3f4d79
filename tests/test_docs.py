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


def test_the_starter_points_to_the_format_on_the_projects_own_site():
    import tomllib

    from oxybreathe.core.catalog import FORMAT_URL

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    source = project["urls"]["Source"]
    assert FORMAT_URL.startswith(f"{source}/blob/main/")
    assert (ROOT / FORMAT_URL.removeprefix(f"{source}/blob/main/")).is_file()


def test_the_readme_says_a_users_file_replaces_the_built_in_and_how_new_guards_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "a file there with a built-in's id replaces that built-in" in readme
    assert "`--force`" in readme


def test_the_format_page_lists_the_limits_the_loader_checks():
    from oxybreathe.core.schema import limits

    page = (ROOT / "docs" / "session-format.md").read_text(encoding="utf-8")
    table = page.split("## Limits", 1)[1].split("\n\n", 2)[1]
    rows = [
        tuple(cell.strip() for cell in line.strip("|").split("|")) for line in table.split("\n")
    ]
    assert rows[2:] == limits()
