"""What `oxybreathe validate` advises about a session that loads: safety and timing, as
located warnings (the file still runs).

- a pattern that holds the breath, with no `caution:` to say before the first hold;
- a filling prompt that, at the session's shortest length, gets less time than it needs.
"""

from __future__ import annotations

from oxybreathe.core.model import BreatheStep, SayStep, Session
from oxybreathe.core.plan import LengthError, bounds, lay_out
from oxybreathe.core.wording import duration

PROMPT_MIN_SECONDS = 10.0  # facts.md: a body region, a sense or a reflection needs well over 5 s


def warnings(session: Session, shown: str) -> list[str]:
    """Each warning as `path:line:col: warning: ...`."""
    found: list[str] = []
    if session.holds and not session.caution:
        step = next(
            step
            for step in session.steps
            if isinstance(step, BreatheStep) and any(p.name == "hold" for p in step.phases)
        )
        found.append(
            f"{shown}:{step.position.line}:{step.position.col}: warning: this pattern holds the "
            "breath, and the session has no `caution:`; add one (said before the first hold), "
            "e.g. stop if dizzy, light-headed or tingly; never in or near water, or while driving"
        )
    lengths = bounds(session)
    try:
        shortest = lay_out(session, None if lengths.fixed else lengths.shortest / 60)
    except LengthError:  # pragma: no cover - the shortest length is one it accepts
        return found
    short: dict[int, tuple[SayStep, float]] = {}
    for cue in shortest.cues:
        said = session.steps[cue.step]
        if (
            cue.kind == "prompt"
            and isinstance(said, SayStep)
            and said.fills  # a length the user chose squeezes it
            and cue.duration < PROMPT_MIN_SECONDS
        ):
            short.setdefault(cue.step, (said, cue.duration))
    for prompt, seconds in short.values():
        found.append(
            f"{shown}:{prompt.position.line}:{prompt.position.col}: warning: at the session's "
            f"shortest length this prompt shows for only {duration(seconds)}; set `min_minutes` "
            f"so that each prompt has at least {PROMPT_MIN_SECONDS:g} s"
        )
    for said in session.steps:  # issue 17: a recording that outlasts its step
        if (
            isinstance(said, SayStep)
            and said.audio_seconds is not None
            and said.seconds is not None
            and said.audio_seconds > said.seconds + 0.05
        ):
            found.append(
                f"{shown}:{said.position.line}:{said.position.col}: warning: its recording "
                f"lasts {duration(said.audio_seconds)}, longer than the step's "
                f"{duration(said.seconds)}; it plays to its end over what follows (leave out "
                "`seconds` and the step lasts as long as the recording)"
            )
    return found
