"""What the app imports before its first useful screen: only what that screen shows.

Each module here costs start-up time before the session list is on screen (see
docs/performance.md, "first useful screen"); the app imports them once home is painted
(`OxybreatheApp` LATER) or when first asked (the command palette).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest

from oxybreathe.core import collector
from tests.conftest import ROOT, app_with, run_python

# Not needed to show home's list: a session, its closing, the history, our palette commands,
# YAML (the catalog cache lists without it).
NOT_BEFORE_HOME = [
    "argparse",  # the bare `oxybreathe` builds no parser
    "shlex",  # to start the user's editor
    "yaml",
    "oxybreathe.audio",
    "oxybreathe.core.checkin",  # asked before a session, or changed with k
    "oxybreathe.core.flow",
    "oxybreathe.core.helplines",  # said on the first run only, and behind F1
    "oxybreathe.core.history",
    "oxybreathe.core.loader",
    "oxybreathe.core.model",  # home lists from the catalog cache's `Shown` (core/catalog_cache.py)
    "oxybreathe.core.plan",  # the length line is drawn just after the first paint
    "oxybreathe.core.schema",
    "oxybreathe.ui.commands",
    "oxybreathe.ui.screens.closing",
    "oxybreathe.ui.screens.session",
]


@pytest.fixture(scope="module")
def imported() -> set[str]:
    # What the bare `oxybreathe` imports before the app runs: the CLI, its `run` and the app.
    code = (
        "import json, sys\n"
        "import oxybreathe.cli, oxybreathe.cli.run, oxybreathe.ui.app\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(result.stdout))


def test_the_app_imports_textual_and_home(imported):
    assert {"textual.app", "oxybreathe.ui.screens.home"} <= imported


@pytest.mark.parametrize("module", NOT_BEFORE_HOME)
def test_the_app_does_not_import_before_home_is_shown(imported, module):
    assert module not in imported


def test_validate_imports_nothing_for_the_users_folders_nor_suggestions():
    # `oxybreathe validate` reads only the files it is given: each module is start-up time.
    code = (
        "import sys\n"
        "from oxybreathe.cli import main\n"
        f"status = main(['validate', {str(ROOT / 'sessions')!r}])\n"
        "print(status, [m for m in ('platformdirs', 'difflib', 'textual') if m in sys.modules])"
    )
    result = run_python(code)
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


async def test_the_collector_is_held_off_until_the_first_paint_then_start_up_is_frozen(clock):
    # The bare `oxybreathe` holds collections off while Textual loads (core/collector.py); the
    # app's first paint brings them back, with what start-up made frozen out of their way.
    collector.hold_off()
    try:
        assert not gc.isenabled()
        app = app_with(clock, checkin=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > 10_000
    finally:
        collector.settle()
        gc.unfreeze()
    assert gc.isenabled()


def test_settle_leaves_a_collector_it_did_not_hold_off_as_it_was():
    gc.disable()  # as a program embedding oxybreathe might
    try:
        collector.settle()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_bare_command_with_no_terminal_lists_and_leaves_the_collector_on(tmp_path):
    # No terminal: `oxybreathe` lists the sessions instead of opening the app; the collector
    # it held off for the app is on again by the time main() returns, with nothing frozen
    # (freezing is for an app that painted: a program calling main() keeps its heap as it was).
    code = (
        "import gc\nfrom oxybreathe.cli import main\n"
        "status = main([])\n"
        "print('on:', gc.isenabled(), 'frozen:', gc.get_freeze_count(), 'status:', status)"
    )
    result = run_python(code)
    assert "Box breathing" in result.stdout
    assert result.stdout.splitlines()[-1] == "on: True frozen: 0 status: 0"


def test_with_no_terminal_the_sessions_are_listed_with_the_collector_on():
    # The bare command holds the collector off for the app; with no terminal there is no app,
    # and the listing that stands in for it reads the files with the collector on.
    code = (
        "import gc\nfrom oxybreathe.core import collector\nfrom oxybreathe.cli import run\n"
        "collector.hold_off()\nstatus = run.home()\n"
        "print('on:', gc.isenabled(), 'status:', status)"
    )
    result = run_python(code)
    assert "Box breathing" in result.stdout
    assert result.stdout.splitlines()[-1] == "on: True status: 0"
