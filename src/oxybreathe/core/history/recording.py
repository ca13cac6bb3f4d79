"""One session's row, kept the same way by both front ends (through core/flow.py)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from oxybreathe.core.checkin import Ratings
from oxybreathe.core.history.writer import Recorder

if TYPE_CHECKING:  # plans load with a session, not for `oxybreathe history`
    from oxybreathe.core.plan import Plan


class Recording:
    """One session's row, kept the same way by both front ends.

    Begun with the before ratings; the time done saved as it runs; ended, completed or not;
    rated after; and the closing note it showed, which the next sessions' rotation reads.
    """

    def __init__(self, recorder: Recorder, plan: Plan, before: Ratings) -> None:
        self.recorder = recorder
        self.before = before
        self.ended = False
        self._shown = recorder.shown_notes()  # asked now, so it is ready by the closing note
        self._ticket = recorder.begin(
            plan.session.id,
            plan.session.name,
            0.0 if plan.open_ended else plan.total,  # no length was planned
            stress_before=before.stress,
            craving_before=before.craving,
        )

    def save(self, ran: float) -> None:
        """Keep `ran` seconds done (what survives a killed process)."""
        if not self.ended:
            self.recorder.progress(self._ticket, ran)

    def finish(self, ran: float, completed: bool) -> None:
        """Record the end, once; later calls change nothing."""
        if not self.ended:
            self.ended = True
            self.recorder.finish(self._ticket, ran, completed)

    def rate_after(self, after: Ratings) -> None:
        if after != Ratings():
            self.recorder.rate_after(self._ticket, after.stress, after.craving)

    def rate_during(self, during: list[tuple[int, int]]) -> None:
        """Keep the craving ratings asked so far during the session, as (seconds in, rating)."""
        self.recorder.rate_during(self._ticket, " ".join(f"{s}:{r}" for s, r in during))

    def journal(self, text: str) -> None:
        """Keep the line the user wrote after the session."""
        self.recorder.journal(self._ticket, text)

    @property
    def shown_notes(self) -> Future[list[str]]:
        """The closing notes shown before this session, oldest first (asked at its start)."""
        return self._shown

    def note_shown(self, note_id: str) -> None:
        """Keep which closing note this session showed (the rotation reads it back)."""
        self.recorder.note_shown(self._ticket, note_id)
