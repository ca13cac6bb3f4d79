"""The breathing pacer: an orb that grows on inhale, rests on hold, and shrinks on exhale.

What it draws comes from the engine's elapsed time, never from counted ticks. It is drawn with
half blocks, so it has twice the vertical resolution of the terminal, and it only refreshes when
its outline actually changes.
"""

from __future__ import annotations

import math

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
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

    def span(pixel_row: int) -> tuple[int, int]:
        """The first and last column inside the ellipse on a pixel row (empty: first > last)."""
        dy = (pixel_row - cy) / ry if ry > 0 else 2.0
        if abs(dy) > 1 or rx <= 0:
            return (1, 0)
        half = rx * math.sqrt(1 - dy * dy)
        return (math.ceil(cx - half - 1e-9), math.floor(cx + half + 1e-9))

    lines = []
    for row in range(height):
        top, low = span(row * 2), span(row * 2 + 1)
        top_empty, low_empty = top[0] > top[1], low[0] > low[1]
        if top_empty and low_empty:
            lines.append(" " * width)
            continue
        if top_empty or low_empty:  # only one of the cell's two pixel rows is inside
            first, last = low if top_empty else top
            middle = ("▄" if top_empty else "▀") * (last - first + 1)
        else:
            # Both spans are centred on the same column, so one contains the other: half
            # blocks where only the wider one reaches, full blocks where both do.
            wide, narrow = (top, low) if top[1] - top[0] > low[1] - low[0] else (low, top)
            half = "▀" if wide is top else "▄"
            first, last = wide
            middle = (
                half * (narrow[0] - wide[0])
                + "█" * (narrow[1] - narrow[0] + 1)
                + half * (wide[1] - narrow[1])
            )
        lines.append((" " * first + middle).ljust(width)[:width])
    return lines


class Pacer(Widget):
    """The orb, sized to its widget. Rows are cached per outline, so a redraw is cheap."""

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
        self._lines: list[str] = []
        self.redraws = 0  # how often the outline changed
        self._style = Style()

    def _key(self, fullness: float) -> tuple[int, int, int]:
        # The outline depends only on the size and on the radius, in half-pixel steps.
        width, height = self.size
        scale = SMALLEST + (1 - SMALLEST) * min(1.0, max(0.0, fullness))
        return width, height, round(scale * (height * 2 - 1))

    def show(self, fullness: float) -> None:
        """Set how full the orb is; refresh only when the outline changes."""
        self._fullness = fullness
        key = self._key(fullness)
        if key != self._drawn_key:
            self._drawn_key = key
            lines = orb_lines(self.size.width, self.size.height, fullness)
            changed = [
                Region(0, y, self.size.width, 1)
                for y, line in enumerate(lines)
                if y >= len(self._lines) or self._lines[y] != line
            ]
            self._lines = lines
            if changed:  # a new radius does not always move a pixel; repaint only moved rows
                self.redraws += 1
                self.refresh(*changed)

    def next_change(self, start: float, end: float, fraction: float) -> float | None:
        """The fraction of the phase (after `fraction`) at which the outline next changes.

        The orb's fullness follows start + (end - start) * ease(fraction); this inverts that for
        the next half-pixel step of the radius, so the screen can sleep until exactly then.
        None if the orb does not move again in this phase.
        """
        if start == end:
            return None
        diameter = self.size.height * 2 - 1
        if diameter <= 0:
            return None
        now = start + (end - start) * ease(fraction)
        key = round((SMALLEST + (1 - SMALLEST) * now) * diameter)
        boundary = key + (0.5 if end > start else -0.5)
        target = (boundary / diameter - SMALLEST) / (1 - SMALLEST)
        progress = (target - start) / (end - start)
        if not 0 <= progress <= 1:
            return None
        return max(fraction, math.acos(1 - 2 * progress) / math.pi)

    def on_resize(self) -> None:
        self._drawn_key = None
        self.show(self._fullness)

    def render_lines(self, crop: Region) -> list[Strip]:
        # `rich_style` walks every ancestor's styles; once per paint, not once per row (it was a
        # fifth of the cost of each frame of a session).
        self._style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = self._lines[y] if y < len(self._lines) else ""
        return Strip([Segment(line.ljust(self.size.width), self._style)], self.size.width)
