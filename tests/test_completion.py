"""Shell completion: the real script, sourced in a real bash, driven the way bash drives it
(COMP_WORDS, COMP_CWORD and the function `complete -p` names), with the real `oxybreathe` on
PATH listing the user's own sessions. zsh and fish scripts are checked for what they call."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

BIN = Path(sys.executable).parent  # the venv's bin: its `oxybreathe` is this checkout


def completion_script(shell: str) -> str:
    result = run_cli("completion", shell)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "oxybreathe.bash"
    path.write_text(completion_script("bash"))
    return path


def complete(script: Path, line: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash offers for `line` (completing its last word), as the shell would."""
    words = line.split(" ")
    driver = f"""
source {script}
spec=$(complete -p oxybreathe) || exit 3
function=$(printf '%s\\n' "$spec" | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
COMP_WORDS=({" ".join(f"'{w}'" for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE='{line}'
COMP_POINT=${{#COMP_LINE}}
"$function" oxybreathe '{words[-1]}' '{words[-2]}'
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    environment = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", **(env or {})}
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", driver],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [word.strip() for word in result.stdout.splitlines() if word.strip()]


def test_the_script_registers_a_completion_for_oxybreathe(bash_script):
    result = subprocess.run(
        ["bash", "--norc", "-c", f"source {bash_script} && complete -p oxybreathe"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and "-F " in result.stdout and "oxybreathe" in result.stdout


def test_commands_complete(bash_script):
    assert set(complete(bash_script, "oxybreathe ")) >= {
        "run",
        "list",
        "validate",
        "history",
        "completion",
    }
    assert complete(bash_script, "oxybreathe va") == ["validate"]


def test_options_complete(bash_script):
    offered = complete(bash_script, "oxybreathe run --no")
    assert set(offered) == {"--no-chimes", "--no-checkin", "--no-voice"}
    assert "--theme" in complete(bash_script, "oxybreathe run --th")


def test_theme_names_complete(bash_script):
    assert complete(bash_script, "oxybreathe --theme oxy") == ["oxybreathe-night"]


def test_run_tab_offers_built_in_ids_and_the_users_own(bash_script, isolated_home, user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "my-evening.yaml").write_text("name: Mine\n")  # its id, whatever is in it
    offered = complete(bash_script, "oxybreathe run ")
    assert {"box", "4-7-8", "my-evening"} <= set(offered)
    assert complete(bash_script, "oxybreathe run my-") == ["my-evening"]
    assert complete(bash_script, "oxybreathe new x --from my") == ["my-evening"]


def test_a_new_file_completes_at_the_next_tab(bash_script, isolated_home, user_sessions):
    user_sessions.mkdir(parents=True)
    assert complete(bash_script, "oxybreathe run late") == []
    (user_sessions / "late-night.yml").write_text("")
    assert complete(bash_script, "oxybreathe run late") == ["late-night"]


def test_list_ids_reads_no_file(isolated_home, user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "broken.yaml").write_text("name: [")  # not read: only its name counts
    fifo = user_sessions / "waiting.yaml"
    os.mkfifo(fifo)  # a FIFO would block any reader: listing ids must not open it
    result = run_cli("list", "--ids", timeout=20)
    assert result.returncode == 0, result.stderr
    ids = result.stdout.split()
    assert ids == sorted(ids) and {"box", "broken", "waiting"} <= set(ids)


def test_fish_completes_the_users_own_session(isolated_home, user_sessions, tmp_path):
    user_sessions.mkdir(parents=True)
    (user_sessions / "my-evening.yaml").write_text("name: Mine\n")
    script = tmp_path / "oxybreathe.fish"
    script.write_text(completion_script("fish"))

    def fish(line: str) -> list[str]:
        result = subprocess.run(
            ["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return [row.split("\t")[0] for row in result.stdout.splitlines()]

    assert "my-evening" in fish("oxybreathe run my")
    assert "validate" in fish("oxybreathe va")
    assert "--no-chimes" in fish("oxybreathe run box --no-")


def test_the_zsh_script_parses_and_lists_ids_from_oxybreathe(tmp_path):
    script = tmp_path / "_oxybreathe"
    script.write_text(completion_script("zsh"))
    assert "oxybreathe list --ids" in script.read_text()
    result = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    # Loaded into zsh's completion system, it defines its function without an error.
    load = f"autoload -U compinit && compinit -u -D && source {script}"
    load += " && whence -w _shtab_oxybreathe"
    result = subprocess.run(
        ["zsh", "-f", "-c", load],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert result.returncode == 0 and "function" in result.stdout, result.stderr + result.stdout


def test_an_unknown_shell_is_a_usage_error():
    result = run_cli("completion", "powershell")
    assert result.returncode == 2 and "invalid choice" in result.stderr
