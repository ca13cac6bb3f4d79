"""The command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import pkgutil
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from oxybreathe import __version__
from oxybreathe.core.schema import SCHEMA_FILENAME
from tests.conftest import SESSIONS, run_cli, run_python


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


def test_list_shows_broken_user_files_under_the_table_and_still_loads_the_rest(user_sessions):
    before = run_cli("list").stdout.splitlines()
    user_sessions.mkdir(parents=True)
    (user_sessions / "mine.yaml").write_text("name: Mine\nsteps: [{say: hi, seconds: 5}]\n")
    (user_sessions / "broken.yaml").write_text("name: Broken\nsteps: [{sya: hi}]\n")
    result = run_cli("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == before[0]  # the error does not widen the table's columns
    mine = next(line for line in lines if line.startswith("mine "))
    assert "Mine" in mine and mine.endswith("user")
    assert not any(line.startswith("broken ") for line in lines)  # not in the table...
    gap = lines.index("")
    assert lines[gap + 1].startswith("1 file with problems")  # ...but under it, a line each
    assert lines[gap + 2].startswith(f"{user_sessions / 'broken.yaml'}:2:9: a step needs")
    assert lines[-1] == f"User sessions folder: {user_sessions}"


def test_sessions_are_listed_in_the_order_of_their_names():
    header, *lines = run_cli("list").stdout.splitlines()
    name, length = header.index("NAME"), header.index("LENGTH")
    names = [line[name:length].strip() for line in lines if line.endswith("built-in")]
    assert len(names) == len(list(SESSIONS.glob("*.yaml")))
    # Those for acute moments first (never behind a breath-hold exercise), each group by name.
    acute = ["Grounding 5-4-3-2-1", "SOBER breathing space", "Urge surfing"]
    assert names[: len(acute)] == acute
    rest = names[len(acute) :]
    assert rest == sorted(rest, key=str.casefold)


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
    assert "fixed length of 2 min 25 s; it cannot run for 10 min" in result.stderr


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
    result = run_python(code)
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


@pytest.mark.parametrize(
    ("redirect", "words"),
    [
        ("</dev/null", "standard input is /dev/null"),
        ("<&-", "standard input is closed"),
        ("< /etc/hostname", "standard input is the file /etc/hostname"),
    ],
)
def test_no_terminal_lists_sessions_saying_which_stream_is_not_one(redirect, words):
    result = subprocess.run(
        f"{sys.executable} -m oxybreathe {redirect}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0
    assert result.stderr == (
        f"oxybreathe: the app needs a terminal, but {words}; listing the sessions instead.\n"
    )
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
    # A session file on a FIFO nobody writes to no longer blocks (see below); a folder of a
    # hundred thousand names is still slow enough to interrupt.
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(100_000):
        (folder / f"{n}.txt").touch()
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "validate", *[str(folder)] * 200],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.communicate(timeout=1.5)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 130
    assert "Traceback" not in err + out


# Paths ------------------------------------------------------------------------------------

LONG = "a" * 300  # longer than any file name may be (255 bytes): ENAMETOOLONG


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (f"{LONG}.yaml", "the name is too long for this system"),
        ("~nosuchuser/x.yaml", "cannot expand `~nosuchuser`: there is no such user"),
        ("", "an empty name is no file"),
    ],
)
def test_a_path_that_cannot_be_used_gets_one_line(given, reason):
    for args, status in ((("validate", given), 1), (("run", given or "./", "--plain"), 2)):
        result = run_cli(*args)
        assert result.returncode == status, result.stderr
        output = (result.stdout + result.stderr).splitlines()
        assert "Traceback" not in result.stderr
        assert len(output) == 1, output
        if given:
            assert output[0].endswith(reason), output


def test_a_long_id_is_an_unknown_session_in_one_short_line():
    result = run_cli("run", LONG, "--plain")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("oxybreathe run: no session called `aaaa") and len(line) < 150


def test_a_fifo_is_refused_at_once_wherever_a_session_file_is_taken(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "x.yaml")
    (folder / "ok.yaml").write_text("name: Fine\nsteps: [{say: hi, seconds: 1}]\n")
    expected = "1:1: this is a named pipe (FIFO), not a session file"
    result = run_cli("validate", str(fifo), str(folder), timeout=10)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{fifo}:{expected}",
        f"{folder / 'ok.yaml'}: ok (Fine, fixed length 1 s)",
        f"{folder / 'x.yaml'}:{expected}",
    ]
    run = run_cli("run", str(fifo), "--plain", timeout=10)
    assert run.returncode == 2 and run.stderr == f"{fifo}:{expected}\n"
    device = run_cli("validate", "/dev/zero", timeout=10)
    assert device.stdout == "/dev/zero:1:1: this is a device, not a session file\n"


def test_a_latin1_file_name_is_shown_readably_and_its_session_is_kept(tmp_path):
    name = os.fsdecode(b"caf\xe9.yaml")  # what sys.argv holds for it: a lone surrogate
    path = tmp_path / name
    path.write_text("name: Latin\nsteps: [{say: hi, seconds: 0.5}]\n")
    shown = f"{tmp_path}/caf\N{REPLACEMENT CHARACTER}.yaml"
    result = run_cli("validate", str(path))
    assert result.returncode == 0
    assert result.stdout == f"{shown}: ok (Latin, fixed length 0.5 s)\n"
    run = run_cli("run", str(path), "--plain", "--no-chimes")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    csv = run_cli("history", "--csv").stdout.splitlines()
    row = csv[1].split(",")
    assert (row[1], row[4]) == ("caf\N{REPLACEMENT CHARACTER}", "1")  # kept, as finished
    broken = tmp_path / os.fsdecode(b"\xe0-broken.yaml")
    broken.write_text("name: x\nsteps: []\n")
    check = run_cli("validate", str(broken))
    assert check.stdout.startswith(f"{tmp_path}/\N{REPLACEMENT CHARACTER}-broken.yaml:2:8:")


@pytest.mark.parametrize(
    ("chime", "reason"),
    [
        (
            "~nosuchuser/bell.wav",
            "`chimes.start`: cannot expand `~nosuchuser`: there is no such user",
        ),
        (f"{LONG}.wav", "too long"),
        ("fifo.wav", "(FIFO)"),
    ],
)
def test_a_chime_path_that_cannot_be_used_is_located(tmp_path, chime, reason):
    os.mkfifo(tmp_path / "fifo.wav")
    path = tmp_path / "chimed.yaml"
    path.write_text(f"name: x\nchimes: {{start: '{chime}'}}\nsteps: [{{say: hi}}]\n")
    result = run_cli("validate", str(path), timeout=10)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}:2:17: ") and reason in line, line


def test_problems_with_the_sessions_folder_are_said_in_list_run_and_new(user_sessions, tmp_path):
    user_sessions.parent.mkdir(parents=True)
    for make, words in (
        (lambda: user_sessions.write_text("not a folder"), "this is a file, not a folder"),
        (lambda: user_sessions.symlink_to(tmp_path / "gone"), "a link to something that does"),
    ):
        make()
        listed = run_cli("list")
        assert listed.returncode == 0 and "box " in listed.stdout
        assert (
            listed.stdout.splitlines()[-1]
            == f"User sessions folder: {user_sessions} ({words}"
            + ("" if words.endswith("folder") else " not exist")
            + ")"
        )
        run = run_cli("run", "grounding", "--plain", "--no-chimes", "--minutes", "10")
        assert run.returncode == 2  # the folder's problem comes first, then the usage error
        assert run.stderr.splitlines()[0].startswith(
            f"oxybreathe: your sessions folder {user_sessions}: {words}"
        )
        created = run_cli("new", "mine")
        assert created.returncode == 1
        assert created.stderr == f"oxybreathe new: cannot write into {user_sessions}: " + (
            run.stderr.splitlines()[0].split(": ", 2)[2] + "\n"
        )
        user_sessions.unlink()


def test_a_fifo_in_the_sessions_folder_is_listed_as_broken_without_waiting(user_sessions):
    user_sessions.mkdir(parents=True)
    os.mkfifo(user_sessions / "x.yaml")
    listed = run_cli("list", timeout=10)
    assert listed.returncode == 0
    assert f"{user_sessions / 'x.yaml'}:1:1: this is a named pipe (FIFO)" in listed.stdout
    run = run_cli("run", "x", "--plain", timeout=10)
    assert run.returncode == 2 and "named pipe (FIFO)" in run.stderr


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_settings_file_that_is_no_file_is_one_line_and_sessions_still_run(kind, write):
    from oxybreathe.core import locations

    settings = locations.settings_file()
    settings.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(settings)
    else:
        settings.mkdir()
    what = "a named pipe (FIFO)" if kind == "fifo" else "a directory"
    line = f"{settings}:1:1: this is {what}, not a "  # (a settings file)
    shown = run_cli("config", timeout=10)
    assert shown.returncode == 1 and shown.stdout.splitlines()[1].startswith(line)
    quick = write("name: Quick\nsteps: [{say: hi, seconds: 0.5}]\n")
    run = run_cli("run", str(quick), "--plain", "--no-chimes", timeout=20)
    assert run.returncode == 0 and run.stderr.startswith(line)
    assert run.stderr.endswith(" file (using the default)\n") and run.stderr.count("\n") == 1


# new ----------------------------------------------------------------------------------------


def test_new_with_a_builtins_id_asks_for_force_and_then_says_what_it_did(user_sessions):
    refused = run_cli("new", "box")
    assert refused.returncode == 1
    assert refused.stderr == (
        "oxybreathe new: `box` is a built-in session; a file of yours with that id would "
        "replace it in the list; add --force to do that, or choose another id\n"
    )
    assert not (user_sessions / "box.yaml").exists()
    forced = run_cli("new", "box", "--force")
    assert forced.returncode == 0
    assert forced.stdout == f"{user_sessions / 'box.yaml'}\n"
    assert "replaces the built-in `box`" in forced.stderr
    box = next(line for line in run_cli("list").stdout.splitlines() if line.startswith("box "))
    assert box.endswith("user")


def test_the_starter_points_to_what_a_pip_install_has(user_sessions):
    from oxybreathe.core.catalog import FORMAT_URL

    assert run_cli("new", "evening").returncode == 0
    text = (user_sessions / "evening.yaml").read_text()
    assert "docs/session-format.md" not in text.replace(FORMAT_URL, "")
    assert FORMAT_URL in text and "oxybreathe schema" in text


def test_a_settings_file_that_links_to_nothing_is_named_by_config(tmp_path):
    from oxybreathe.core import locations

    settings = locations.settings_file()
    settings.parent.mkdir(parents=True)
    settings.symlink_to(tmp_path / "gone.yaml")
    shown = run_cli("config")
    assert shown.returncode == 1
    assert shown.stdout.splitlines()[:2] == [
        f"Settings file: {settings}",
        f"{settings}:1:1: a link to something that does not exist",
    ]


def test_no_module_in_src_imports_itself_round_a_cycle():
    # Every import counts: at the top, inside functions, and under TYPE_CHECKING.
    import ast

    import oxybreathe

    root = Path(oxybreathe.__file__).parent
    modules = {
        ".".join(("oxybreathe", *path.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): path
        for path in root.rglob("*.py")
    }
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in modules
                    else node.module
                    for alias in node.names
                ]
            graph[name] |= {target for target in targets if target in modules} - {name}
    # A package's __init__ may gather its own modules; count only edges out of the package.
    for name in graph:
        if modules[name].name == "__init__.py":
            graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    cycles = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(trail[trail.index(name) :] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []
