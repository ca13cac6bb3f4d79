"""The catalog cache: a real cache file in the test's own XDG cache folder, and every fault in it.

Listing is checked the way a user sees it, through the real `oxybreathe list` in a subprocess:
whatever is wrong with the cache, the list is the one the files give.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.widgets import OptionList

from oxybreathe.core import catalog_cache, locations
from oxybreathe.core.catalog_cache import CatalogCache
from oxybreathe.core.loader import load_session
from oxybreathe.core.model import BreatheStep, Phase
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import FakeClock, UserHome, app_with, run_as_user, run_cli

MINE = """\
name: Mine
steps:
  - breathe: [inhale: 4, exhale: 6]
"""


@pytest.fixture
def cache_file(isolated_home: Path) -> Path:
    return isolated_home / "cache" / "oxybreathe" / catalog_cache.FILENAME


@pytest.fixture
def mine(user_sessions: Path) -> Path:
    user_sessions.mkdir(parents=True, exist_ok=True)
    path = user_sessions / "mine.yaml"
    path.write_text(MINE, encoding="utf-8")
    return path


def listed() -> str:
    """What `oxybreathe list` prints; it must never fail, whatever the cache holds."""
    result = run_cli("list")
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


def planted(cache_file: Path, path: Path, name: str) -> bytes:
    """A cache that is right in every way but one: it holds `name` for the file at `path`.

    If a fault's check is missing, `oxybreathe list` shows `name` instead of the file's own."""
    cache = CatalogCache(cache_file)
    cache.put(path, False, dataclasses.replace(load_session(path), name=name))
    return cache_file.read_bytes()


def test_listing_writes_a_cache_holding_each_session_as_its_file_gives_it(cache_file, mine):
    first = listed()
    assert "Mine" in first and "Box breathing" in first
    cache = CatalogCache(cache_file)
    files = [(mine, False)] + [(p, True) for p in locations.builtin_sessions_dir().glob("*.yaml")]
    for path, builtin in files:
        assert cache.get(path, builtin) == load_session(path, builtin=builtin)
    assert listed() == first
    assert [p.name for p in cache_file.parent.iterdir()] == [catalog_cache.FILENAME]  # no temp


PROBE = textwrap.dedent(
    """
    import json, sys
    from oxybreathe.core import catalog
    entries = catalog.entries()
    shown = [entry.shown.name for entry in entries]
    before = ["yaml" in sys.modules, "oxybreathe.core.model" in sys.modules]
    names = [entry.session.name for entry in entries]  # each session, decoded when asked for
    print(json.dumps([shown, names, before]))
    """
)


def test_a_warm_cache_lists_the_sessions_without_importing_yaml_or_the_model(mine):
    def probe() -> tuple[list[str], list[str], list[bool]]:
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
        shown, names, imported = json.loads(out.stdout)
        return shown, names, imported

    cold_shown, cold_names, cold_imported = probe()  # no cache yet: the files are read
    warm_shown, warm_names, warm_imported = probe()
    assert cold_imported == [True, True] and warm_imported == [False, False]
    assert warm_shown == cold_shown == warm_names == cold_names and "Mine" in warm_names


def test_a_cache_from_another_version_is_not_read(cache_file, mine, monkeypatch):
    expected = listed()
    with monkeypatch.context() as patched:
        patched.setattr(catalog_cache, "__version__", "0.0.1")
        planted(cache_file, mine, "From another version")
    assert listed() == expected
    assert CatalogCache(cache_file).get(mine, False) == load_session(mine)  # written anew


def test_a_damaged_cache_is_not_read(cache_file, mine):
    # One byte changed inside the body: the JSON is still valid, the checksum is not.
    expected = listed()
    body = planted(cache_file, mine, "Damaged")
    cache_file.write_bytes(body.replace(b"Damaged", b"Damagee"))
    assert listed() == expected


def test_a_cache_over_the_size_bound_is_not_read(cache_file, mine):
    expected = listed()
    header, _, body = planted(cache_file, mine, "Huge").partition(b"\n")
    body += b" " * catalog_cache.MAX_BYTES  # still valid JSON, with a checksum to match
    cache = CatalogCache(cache_file)
    cache_file.write_bytes(cache._header(body) + b"\n" + body)
    assert listed() == expected
    assert cache_file.stat().st_size < catalog_cache.MAX_BYTES  # replaced by a sound one


@pytest.mark.parametrize(
    "fault",
    ["garbage", "truncated", "empty", "not a model type", "folder", "fifo"],
)
def test_a_broken_cache_is_a_miss_and_listing_goes_on(cache_file, mine, fault):
    expected = listed()
    sound = cache_file.read_bytes()
    cache_file.unlink()
    if fault == "garbage":
        cache_file.write_bytes(os.urandom(4096))
    elif fault == "truncated":
        cache_file.write_bytes(sound[: len(sound) // 2])
    elif fault == "empty":
        cache_file.write_bytes(b"")
    elif fault == "not a model type":  # checksummed, but naming a class the model has not
        header, _, body = sound.partition(b"\n")
        body = body.replace(b'"~type":"Session"', b'"~type":"Path"')
        cache_file.write_bytes(CatalogCache(cache_file)._header(body) + b"\n" + body)
    elif fault == "folder":
        (cache_file / "inside").mkdir(parents=True)
    elif fault == "fifo":
        os.mkfifo(cache_file)  # opening it for reading must not wait for a writer
    assert listed() == expected
    if fault == "folder":
        assert [p.name for p in cache_file.parent.iterdir()] == [catalog_cache.FILENAME]
    else:
        assert CatalogCache(cache_file).get(mine, False) == load_session(mine)


def test_a_cache_folder_that_is_a_file_is_no_cache_at_all(isolated_home, mine):
    expected = listed()
    (isolated_home / "cache" / "oxybreathe").rename(isolated_home / "old-cache")
    (isolated_home / "cache" / "oxybreathe").write_text("not a folder", encoding="utf-8")
    assert listed() == expected


def test_a_read_only_cache_folder_as_an_ordinary_user(user_home: UserHome):
    sessions = user_home.mkdir(user_home.config / "oxybreathe" / "sessions")
    (sessions / "mine.yaml").write_text(MINE, encoding="utf-8")
    expected = run_as_user(user_home, "list")
    assert expected.returncode == 0 and "Mine" in expected.stdout
    cache = user_home.root / "cache" / "oxybreathe"
    for path in cache.iterdir():
        path.unlink()
    cache.chmod(0o555)
    result = run_as_user(user_home, "list")
    assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, "")
    assert list(cache.iterdir()) == []  # nothing written, not even a temp file


def test_a_file_of_another_size_is_read_again(mine):
    assert "Mine" in listed()
    mine.write_text(MINE.replace("Mine", "Mine, longer"), encoding="utf-8")
    assert "Mine, longer" in listed()


def test_a_file_with_another_mtime_is_read_again(cache_file, mine):
    listed()
    info = mine.stat()
    os.utime(mine, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    listed()
    key = json.loads(cache_file.read_bytes().partition(b"\n")[2])[str(mine)]["key"]
    assert key[2] == info.st_mtime_ns + 5_000_000_000  # read again, and cached so


def test_a_file_changed_with_its_size_and_mtime_put_back_is_read_again(mine):
    assert "Mine" in listed()
    info = mine.stat()
    mine.write_text(MINE.replace("Mine", "Ours"), encoding="utf-8")  # the same size
    os.utime(mine, ns=(info.st_atime_ns, info.st_mtime_ns))  # as `touch -r` or `cp -p` do
    out = listed()
    assert "Ours" in out and "Mine" not in out


def test_broken_files_are_never_cached(cache_file, mine):
    mine.write_text("name: Mine\nsteps: 3\n", encoding="utf-8")
    assert f"{mine}:2:8: `steps` must be a list" in listed()
    assert str(mine) not in json.loads(cache_file.read_bytes().partition(b"\n")[2])
    mine.write_text(MINE, encoding="utf-8")
    shown = listed()
    assert "Mine" in shown and "problems" not in shown


def test_removed_files_leave_the_cache(cache_file, mine):
    listed()
    mine.unlink()
    other = mine.with_name("other.yaml")
    other.write_text(MINE.replace("Mine", "Other"), encoding="utf-8")
    listed()
    entries = json.loads(cache_file.read_bytes().partition(b"\n")[2])
    assert str(other) in entries and str(mine) not in entries


def test_a_very_long_session_is_read_from_its_file_each_time(cache_file, mine):
    step = '  - {say: "A step of a long session, with a few words in it", seconds: 1}\n'
    mine.write_text("name: Mine\nsteps:\n" + step * 3000, encoding="utf-8")
    assert "Mine" in listed()
    assert str(mine) not in json.loads(cache_file.read_bytes().partition(b"\n")[2])


async def test_a_stale_cache_never_runs_a_wrong_session(mine):
    # The cache holds another session for the file, under the file's own key: only a cache
    # gone wrong in a way no key can see would. The list shows it; Enter runs the file.
    real = load_session(mine)
    breathe = real.steps[0]
    assert isinstance(breathe, BreatheStep)
    stale = dataclasses.replace(
        real,
        name="Stale",
        steps=(dataclasses.replace(breathe, phases=(Phase("inhale", 2.0),)),),
    )
    catalog_cache.default().put(mine, False, stale)
    app = app_with(FakeClock(), checkin=False, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        index = [entry.id for entry in home.entries].index("mine")
        home.query_one("#sessions", OptionList).highlighted = index
        await pilot.pause()
        assert home.entries[index].session == stale  # the list came from the cache
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert screen.plan.session == real


async def test_a_file_changed_after_home_listed_it_shows_what_it_says_now(clock, mine, write):
    # Home lists from the cache and reads a session only when it is highlighted: by then the
    # file may have changed. Changed but sound: its own name, description and length, never
    # the old ones. Broken since: no length (never the one of the session highlighted before),
    # and a way to read it again.
    from oxybreathe.core import catalog
    from oxybreathe.ui.screens.home import HomeScreen
    from tests.conftest import app_with, select, text_of, top

    other = mine.with_name("other.yaml")
    other.write_text(MINE.replace("Mine", "Other"), encoding="utf-8")
    catalog.entries()  # the cache is warm, as after any earlier run
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = top(app, HomeScreen)
        assert isinstance(home, HomeScreen)
        mine.write_text(
            "name: Mine, changed\ndescription: Now with a description.\nminutes: 3\n"
            "steps:\n  - breathe: [inhale: 5, exhale: 5]\n",
            encoding="utf-8",
        )
        await select(pilot, "mine")
        assert text_of(home, "name") == "Mine, changed"
        assert text_of(home, "description") == "Now with a description."
        assert text_of(home, "length").startswith("Length: ◀ 3 min ▶")
        await select(pilot, "sober")
        assert text_of(home, "length").startswith("Length:")
        other.write_text("name: Other\nsteps: [[[\n", encoding="utf-8")
        await select(pilot, "other")
        assert text_of(home, "length") == ""
        assert text_of(home, "problems") == "This file has changed: press r to read it again."
        await pilot.press("right")  # no length to change, and no error
        await pilot.press("r")
        await pilot.pause()
        await select(pilot, "other")
        assert text_of(home, "description") == "This file has problems. Press e to edit it."
