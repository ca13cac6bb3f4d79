"""WCAG AA contrast in the default theme and the low-light one, for every text colour our CSS
uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.color import Color

from oxybreathe.core import themes
from oxybreathe.ui.app import OxybreatheApp

UI = Path(__file__).resolve().parents[1] / "src" / "oxybreathe" / "ui"
TEXT_COLOURS = ("text", "text-muted", "accent", "text-warning", "text-error")
BACKGROUNDS = ("background", "surface", "panel")
AA_TEXT = 4.5  # WCAG 2.x AA, normal-size text


def css_text() -> str:
    files = [*UI.rglob("*.tcss"), *UI.rglob("*.py")]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(one: Color, two: Color) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def resolve(value: str, background: Color) -> Color:
    """A theme variable's colour as seen on `background` ("auto 60%" and alpha included)."""
    if value.startswith("auto"):
        alpha = float(value.split()[1].rstrip("%")) / 100 if " " in value else 1.0
        return background + background.get_contrast_text(alpha)
    return background + Color.parse(value)


@pytest.fixture(scope="module", params=["textual-dark", themes.LOW_LIGHT])
def variables(request: pytest.FixtureRequest) -> dict[str, str]:
    app = OxybreatheApp()
    assert app.theme == "textual-dark"  # the default theme
    app.theme = request.param
    assert app.current_theme.name == request.param
    return app.get_css_variables()


def test_the_low_light_theme_is_amber_on_black():
    app = OxybreatheApp()
    app.theme = themes.LOW_LIGHT
    variables = app.get_css_variables()
    assert Color.parse(variables["background"]) == Color(0, 0, 0)
    for name in ("text", "text-muted", "accent", "footer-key-foreground"):
        colour = Color.parse(variables[name])
        hue = colour.hsl.h * 360
        assert 30 <= hue <= 45 and colour.b < 0x60, (name, colour)  # amber: no blue light


def test_every_text_colour_in_our_css_is_checked_here():
    used = set(re.findall(r"^\s*color:\s*\$([\w-]+)", css_text(), re.MULTILINE))
    assert used <= set(TEXT_COLOURS), used - set(TEXT_COLOURS)


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("foreground", TEXT_COLOURS)
def test_text_meets_wcag_aa_in_each_theme(variables, foreground, background):
    ground = Color.parse(variables[background])
    ratio = contrast(resolve(variables[foreground], ground), ground)
    assert ratio >= AA_TEXT, f"${foreground} on ${background}: {ratio:.2f}:1"


def test_the_pacer_orb_meets_the_non_text_contrast_of_3_to_1(variables):
    ground = Color.parse(variables["background"])
    assert contrast(resolve(variables["accent"], ground), ground) >= 3.0


def test_the_contrast_formula_matches_known_values():
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color(118, 118, 118), Color(255, 255, 255)) == pytest.approx(4.54, abs=0.01)
