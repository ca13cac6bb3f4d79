"""The command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import pkgutil
import signal
import subprocess
import sys

import jsonschema
import pytest
import yaml

from oxybreathe import __version__
from oxybreathe.core.schema import SCHEMA_FILENAME
from tests.conftest import SESSIONS, run_cli


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"oxybreathe {__version__}"


def test_list_shows_every_builtin_with_length_and_source():
    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "LENGTH", "SOURCE"]
    box = next(line for line in lines if line.startswith("box "))
    assert "Box breathing" in box and "5 min 6 s" in box and box.endswith("built-in")
    grounding = next(line for line in lines if line.startswith("grounding "))
    assert "(fixed)" in grounding


def test_list_shows_a_broken_user_file_and_still_loads_the_rest(user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "mine.yaml").write_text("name: Mine\nsteps: [{say: hi, seconds: 5}]\n")
    (user_sessions / "broken.yaml").write_text("name: Broken\nsteps: [{sya: hi}]\n")
    result = run_cli("list")
    assert result.returncode == 0
    broken = next(line for line in result.stdout.splitlines() if line.startswith("broken "))
    assert "BROKEN" in broken and "broken.yaml:2:9: a step needs" in broken
    mine = next(line for line in result.stdout.splitlines() if line.startswith("mine "))
    assert "Mine" in mine and mine.endswith("user")


def test_validate_reports_every_problem_in_every_file(write):
    bad = write("name: x\nsteps:\n  - breathe: [inhale: 4, hold: 4]\n    cycels: 3\n", "bad.yaml")
    worse = write("name: [x\n", "worse.yaml")
    good = SESSIONS / "box.yaml"
    result = run_cli("validate", str(bad), str(good), str(worse))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:3:14: a breathing cycle needs at least one inhale")
    assert lines[1].startswith(f"{bad}:4:5: unknown key `cycels`")
    assert lines[2] == f"{good}: ok (Box breathing, default length 5 min 6 s)"
    assert lines[3].startswith(f"{worse}:2:1: YAML syntax error")
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_passes_the_builtin_folder():
    result = run_cli("validate", str(SESSIONS))
    assert result.returncode == 0, result.stdout
    assert len(result.stdout.splitlines()) == len(list(SESSIONS.glob("*.yaml")))


def test_validate_without_files_is_a_usage_error():
    result = run_cli("validate")
    assert result.returncode == 2 and "usage:" in result.stderr


def test_validate_never_prints_control_characters(write):
    path = write('name: x\nsteps:\n  - breathe: [{"\\e]0;pwned\\a": 4}]\n')
    result = run_cli("validate", str(path))
    assert result.returncode == 1
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "unknown phase `]0;pwned`" in result.stdout


def test_schema_is_json_and_accepts_the_builtins():
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in SESSIONS.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "steps": [{"breathe": [{"inhal": 4}]}]}, schema)
    shipped = (SESSIONS / SCHEMA_FILENAME).read_text()
    assert shipped == result.stdout, "run: oxybreathe schema > sessions/" + SCHEMA_FILENAME


def test_new_writes_a_valid_starter_and_never_overwrites(user_sessions):
    result = run_cli("new", "evening")
    assert result.returncode == 0, result.stderr
    path = user_sessions / "evening.yaml"
    assert result.stdout.strip() == str(path)
    assert run_cli("validate", str(path)).returncode == 0
    assert (user_sessions / SCHEMA_FILENAME).is_file()
    path.write_text("name: Changed\nsteps: [{say: hi}]\n")
    again = run_cli("new", "evening")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert path.read_text().startswith("name: Changed")
    assert "evening" in run_cli("list").stdout


def test_new_from_copies_a_session(user_sessions):
    result = run_cli("new", "my-box", "--from", "box")
    assert result.returncode == 0, result.stderr
    assert (user_sessions / "my-box.yaml").read_text() == (SESSIONS / "box.yaml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "../escape"), "must be letters, digits"),
        (("new", "x", "--from", "nope-such"), "no session called `nope-such`"),
    ],
)
def test_new_refuses_bad_ids_and_sources(args, message):
    result = run_cli(*args)
    assert result.returncode == 2 and message in result.stderr


def test_run_an_unknown_session_lists_close_matches():
    result = run_cli("run", "bx", "--plain")
    assert result.returncode == 2
    assert "no session called `bx`; did you mean box" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_a_length_the_session_cannot_have():
    result = run_cli("run", "grounding", "--plain", "--minutes", "10")
    assert result.returncode == 2
    assert "fixed length of 3 min 20 s; it cannot run for 10 min" in result.stderr


@pytest.mark.parametrize("minutes", ["0", "-1", "nan", "inf", "five"])
def test_run_refuses_bad_minutes(minutes):
    result = run_cli("run", "box", "--plain", "--minutes", minutes)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_broken_session_path_given_to_run_is_located(write):
    path = write("name: x\nsteps: []\n")
    result = run_cli("run", str(path), "--plain")
    assert result.returncode == 2
    assert f"{path}:2:8: `steps` must have at least one item" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("list",),
        ("validate", str(SESSIONS)),
        ("schema",),
        ("new", "fast"),
        ("history",),
        ("config",),
    ],
)
def test_quick_commands_never_import_textual(args):
    code = (
        "import sys; from oxybreathe.cli import main\n"
        f"status = main({list(args)!r})\n"
        "print('TEXTUAL' if any(m.startswith('textual') for m in sys.modules) else 'CLEAN')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    # --help exits through SystemExit before the print; check imports with -X importtime instead.
    if args == ("--help",):
        timing = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "oxybreathe", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert timing.returncode == 0 and "usage: oxybreathe" in timing.stdout
        assert "textual" not in timing.stderr
        assert "oxybreathe.cli" in timing.stderr
    else:
        assert result.stdout.strip().endswith("CLEAN"), result.stdout + result.stderr


def test_the_core_never_imports_textual():
    # Every module outside ui/, found by walking the package: a new one is checked by itself.
    import oxybreathe

    found = [
        module.name
        for module in pkgutil.walk_packages(oxybreathe.__path__, "oxybreathe.")
        if not module.name.startswith("oxybreathe.ui") and module.name != "oxybreathe.__main__"
    ]
    assert {"oxybreathe.core.flow", "oxybreathe.plain", "oxybreathe.cli"} <= set(found)
    code = (
        "import importlib, sys\n"
        f"for name in {found!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_terminal_lists_sessions_with_a_note():
    result = run_cli()
    assert result.returncode == 0
    assert "the app needs a terminal (not a terminal); listing sessions instead" in result.stderr
    assert result.stdout.startswith("ID ")


def test_run_without_a_terminal_falls_back_to_plain_text(write):
    path = write("name: Quick\nsteps:\n  - say: hello\n    seconds: 0.5\n")
    result = run_cli("run", str(path))
    assert result.returncode == 0
    assert "using plain text" in result.stderr
    assert result.stdout.splitlines()[:2] == ["Quick (0.5 s)", "hello"]


def test_a_closed_pipe_is_not_an_error():
    result = subprocess.run(
        f"{sys.executable} -m oxybreathe list | true",  # the reader is gone before the write
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_a_terminal_without_utf8_gets_question_marks_not_a_traceback(write):
    path = write("name: Café calme\nsteps:\n  - say: Respirez — doucement\n    seconds: 0.3\n")
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    run = run_cli("run", str(path), "--plain", "--no-chimes", env=ascii_only)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[:2] == ["Caf? calme (0.3 s)", "Respirez ? doucement"]
    check = run_cli("validate", str(path), env=ascii_only)
    assert check.returncode == 0 and "Caf? calme" in check.stdout
    assert "Traceback" not in run.stderr + check.stderr


def test_ctrl_c_while_a_file_is_still_being_read_ends_quietly(tmp_path):
    # A FIFO nobody writes to: `validate` waits in open() until Ctrl+C comes.
    fifo = tmp_path / "slow.yaml"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "validate", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 130
    assert "Traceback" not in err + out
