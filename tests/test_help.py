"""`oxybreathe --help`: every command with its line, examples that really parse, the themes."""

from __future__ import annotations

import shlex

from oxybreathe.cli import COMMANDS
from oxybreathe.cli.parser import EXAMPLES, build_parser
from oxybreathe.core import themes
from tests.conftest import run_cli


def test_help_lists_every_command_with_a_line_the_examples_and_the_themes():
    result = run_cli("--help", env={"COLUMNS": "100"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for command in COMMANDS:
        assert any(line.split()[:1] == [command] and len(line.split()) > 2 for line in lines), (
            command
        )
    for command, what in EXAMPLES:
        assert any(line.strip().startswith(command) and line.endswith(what) for line in lines)
    listed = result.stdout.split("themes (--theme, or theme: in the settings file):\n", 1)[1]
    assert set(listed.replace(",", " ").split()) >= set(themes.NAMES)


def test_every_example_is_a_command_the_parser_takes():
    for command, _ in EXAMPLES:
        argv = shlex.split(command)[1:]
        args = build_parser().parse_args(argv)  # a usage error would exit the test
        assert args.command is None or args.command in COMMANDS
