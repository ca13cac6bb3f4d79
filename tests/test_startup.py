"""What the app imports before its first useful screen: only what that screen shows.

Each module here costs start-up time before the session list is on screen (see
docs/performance.md, "first useful screen"); the app imports them once home is painted
(`OxybreatheApp` LATER) or when first asked (the command palette).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Not needed to show home's list: a session, its closing, the history, our palette commands,
# YAML (the catalog cache lists without it).
NOT_BEFORE_HOME = [
    "argparse",  # the bare `oxybreathe` builds no parser
    "yaml",
    "oxybreathe.audio",
    "oxybreathe.core.flow",
    "oxybreathe.core.helplines",  # said on the first run only, and behind F1
    "oxybreathe.core.history",
    "oxybreathe.core.loader",
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
