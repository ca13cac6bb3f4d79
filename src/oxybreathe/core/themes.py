"""The colour themes: Textual's built-in ones and oxybreathe's own low-light theme.

The names live here, without Textual, so that the settings file and `--theme` can be checked
before the app is imported (tests/test_themes.py checks them against the app's themes). The
low-light theme is amber on black, for practice at night; its colours are plain data here and
ui/themes.py registers them with Textual. tests/test_accessibility.py checks it meets WCAG AA.
"""

from __future__ import annotations

LOW_LIGHT = "oxybreathe-night"

# Amber on black: no blue light, nothing bright; every text colour at least 4.5:1 on black.
LOW_LIGHT_COLOURS = {
    "primary": "#B86E00",
    "secondary": "#7A4A00",
    "accent": "#FFB000",
    "warning": "#FFB000",
    "error": "#FF7A45",
    "success": "#C9A000",
    "foreground": "#FFB000",
    "background": "#000000",
    "surface": "#0D0800",
    "panel": "#1A1000",
    # Textual's text colours are white or black with alpha: amber instead.
    "text": "#FFB000",
    "text-muted": "#C98A00",
    "text-warning": "#FFC850",
    "text-error": "#FF8A5C",
    "text-primary": "#FFB000",
    "text-accent": "#FFB000",
    "footer-key-foreground": "#FFB000",
    "footer-description-foreground": "#C98A00",
    "block-cursor-foreground": "#000000",
    "block-cursor-background": "#B86E00",
    "input-selection-background": "#7A4A00",
}

TEXTUAL = (
    "textual-dark",
    "textual-light",
    "nord",
    "gruvbox",
    "catppuccin-mocha",
    "dracula",
    "tokyo-night",
    "monokai",
    "flexoki",
    "catppuccin-latte",
    "catppuccin-frappe",
    "catppuccin-macchiato",
    "solarized-light",
    "solarized-dark",
    "rose-pine",
    "rose-pine-moon",
    "rose-pine-dawn",
    "atom-one-dark",
    "atom-one-light",
    "ansi-dark",
    "ansi-light",
)
NAMES = (LOW_LIGHT, *TEXTUAL)


def problem(name: str) -> str | None:
    """Why `name` is not a theme, naming the themes; None when it is one."""
    if name in NAMES:
        return None
    return f"unknown theme `{name}` (the themes: {', '.join(NAMES)})"
