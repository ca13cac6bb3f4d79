"""The breathing pacer: an orb that grows on inhale, rests on hold, and shrinks on exhale.

What it draws comes from the engine's elapsed time, never from counted ticks. It is drawn with
half blocks, so it has twice the vertical resolution of the terminal, and it only refreshes when
its outline actually changes.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.widget import Widget

from oxybreathe.core.model import BreatheStep
from oxybreathe.core.plan import Cue, Plan

SMALLEST = 0.3  # the orb never vanishes: at empty lungs it is 30% of its full size


def pacer_levels(plan: Plan) -> list[tuple[float, float]]:
    """For each cue, the orb's fullness (0-1) at its start and at its end.

    Inhales of a cycle share the rise from 0 to 1 in proportion to their seconds (so cyclic
    sighing's short top-up finishes the fill); exhales share the fall; holds keep the level.
    """
    levels: list[tuple[float, float]] = []
    level = 0.0
    for cue in plan.cues:
        step = plan.session.steps[cue.step]
        if cue.kind != "phase" or not isinstance(step, BreatheStep):
            levels.append((level, level))
            continue
        if cue.phase == "inhale":
            total = sum(p.seconds for p in step.phases if p.name == "inhale")
            end = min(1.0, level + cue.duration / total)
        elif cue.phase == "exhale":
            total = sum(p.seconds for p in step.phases if p.name == "exhale")
            end = max(0.0, level - cue.duration / total)
        else:
            end = level
        if _last_of_cycle(plan, cue):
            end = round(end)  # a cycle always ends exactly empty or full
        levels.append((level, end))
        level = end
    return levels


def _last_of_cycle(plan: Plan, cue: Cue) -> bool:
    following = plan.cues[cue.index + 1] if cue.index + 1 < len(plan.cues) else None
    return following is None or following.cycle != cue.cycle or following.step != cue.step


def ease(fraction: float) -> float:
    """A gentle start and finish (cosine ease in and out)."""
    fraction = min(1.0, max(0.0, fraction))
    return (1 - math.cos(math.pi * fraction)) / 2


def orb_lines(width: int, height: int, fullness: float) -> list[str]:
    """Draw the orb at `fullness` (0-1) into `height` lines of `width` cells."""
    if width <= 0 or height <= 0:
        return []
    scale = SMALLEST + (1 - SMALLEST) * min(1.0, max(0.0, fullness))
    # Cells are about twice as tall as wide; half blocks give two "pixels" per cell vertically.
    pixel_rows = height * 2
    radius_y = (pixel_rows - 1) / 2
    radius_x = min((width - 1) / 2, radius_y)  # in cells; a cell is ~one pixel wide, two tall
    ry, rx = radius_y * scale, radius_x * scale
    cy, cx = (pixel_rows - 1) / 2, (width - 1) / 2

    def inside(px: int, py: int) -> bool:
        return ry > 0 and rx > 0 and ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 <= 1.0

    lines = []
    for row in range(height):
        cells = []
        for column in range(width):
            top, bottom = inside(column, row * 2), inside(column, row * 2 + 1)
            cells.append("█" if top and bottom else "▀" if top else "▄" if bottom else " ")
        lines.append("".join(cells))
    return lines


class Pacer(Widget):
    """The orb, sized to its widget."""

    DEFAULT_CSS = """
    Pacer {
        width: 1fr;
        height: 1fr;
        color: $accent;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fullness = 0.0
        self._drawn_key: tuple[int, int, int] | None = None
        self.redraws = 0  # how often the outline changed; the CPU benchmark reads it

    def _key(self, fullness: float) -> tuple[int, int, int]:
        # The outline depends only on the size and on the radius in half-pixel steps.
        size = self.size
        steps = max(1, size.height * 2)
        return size.width, size.height, round(fullness * steps)

    def show(self, fullness: float) -> None:
        """Set how full the orb is; refresh only when the outline changes."""
        self._fullness = fullness
        key = self._key(fullness)
        if key != self._drawn_key:
            self._drawn_key = key
            self.redraws += 1
            self.refresh()

    def on_resize(self) -> None:
        self._drawn_key = None
        self.show(self._fullness)

    def render(self) -> Text:
        lines = orb_lines(self.size.width, self.size.height, self._fullness)
        return Text("\n".join(lines), no_wrap=True, overflow="crop")
