"""Help lines by country: `oxybreathe help` and `--help` in real subprocesses, by locale and by
the settings file's `country:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from oxybreathe.core import config, helplines
from tests.conftest import run_cli

NO_LOCALE = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}


def help_for(lang: str, *args: str) -> str:
    result = run_cli("help", *args, env={**NO_LOCALE, "LANG": lang})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("en_GB.UTF-8", "Samaritans - call 116 123", "988"),
        ("en_AU.UTF-8", "Lifeline - call 13 11 14", "Samaritans"),
        ("en_US.UTF-8", "call or text 988", "Samaritans"),
        ("de_DE.UTF-8", "call 112.", "988"),
        ("en_NZ.UTF-8", "1737", "988"),
        ("fr_CA.UTF-8", "9-8-8 Suicide Crisis Helpline", "SAMHSA"),
    ],
)
def test_help_shows_the_lines_of_the_locales_country(lang: str, expected: str, absent: str) -> None:
    out = help_for(lang)
    assert expected in out
    assert absent not in out
    assert helplines.DIRECTORY.reach in out  # the directory, for anywhere else


def test_crisis_and_treatment_lines_are_kept_apart() -> None:
    out = help_for("en_US.UTF-8")
    crisis, treatment = out.split("Finding treatment (not crisis lines):")
    assert "988" in crisis and "SAMHSA" not in crisis
    assert "SAMHSA" in treatment
    assert "source: 988lifeline.org" in crisis


def test_no_locale_gives_the_general_lines() -> None:
    for lang in ("C", "POSIX", "", "xx_YY.UTF-8"):
        out = help_for(lang)
        assert "your local emergency number (112 in every EU country)" in out
        assert "findahelpline.com" in out


def test_lc_all_comes_before_lang() -> None:
    result = run_cli("help", env={**NO_LOCALE, "LANG": "en_US.UTF-8", "LC_ALL": "en_AU.UTF-8"})
    assert "Lifeline" in result.stdout and "988" not in result.stdout


def test_country_in_the_settings_file_overrides_the_locale(isolated_home: Path) -> None:
    settings = isolated_home / "config" / "oxybreathe" / "config.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("country: gb\n")
    out = help_for("en_US.UTF-8")
    assert "Samaritans" in out and "988" not in out
    settings.write_text("country: Narnia\n")
    result = run_cli("help", env={**NO_LOCALE, "LANG": "en_AU.UTF-8"})
    assert "Lifeline" in result.stdout  # a wrong value falls back to the locale...
    assert f"{settings}:1:10: `country` must be a two-letter country code" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_ends_with_one_help_line() -> None:
    result = run_cli("--help", env={**NO_LOCALE, "LANG": "en_GB.UTF-8"})
    assert result.returncode == 0
    last = result.stdout.strip().splitlines()[-2:]
    assert "In a crisis: Samaritans" in " ".join(last)
    assert "oxybreathe help" in last[-1]


def test_the_lapse_note_names_the_danger_signs() -> None:
    out = help_for("en_GB.UTF-8", "--lapse")
    assert "A lapse is not a relapse" in out
    assert "tolerance falls" in out
    assert "alcohol or benzodiazepines" in out
    assert "Larimer, Palmer & Marlatt 1999" in out


def test_locale_parsing() -> None:
    assert helplines.from_locale({"LANG": "en_GB.UTF-8"}) == "GB"
    assert helplines.from_locale({"LANG": "de_DE@euro"}) == "DE"
    assert helplines.from_locale({"LC_MESSAGES": "en_AU", "LANG": "en_US"}) == "AU"
    assert helplines.from_locale({"LANG": "C.UTF-8"}) is None
    assert helplines.from_locale({}) is None
    assert helplines.lookup("US", {"LANG": "en_GB.UTF-8"}).code == "US"


def test_a_country_code_of_the_wrong_kind_is_located(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    for text in ("country: [GB]\n", "country: 44\n", "country: " + "G" * 500 + "\n"):
        file.write_text(text)
        loaded = config.load(file)
        assert "country" not in loaded.values
        assert [p.line for p in loaded.problems] == [1]
