"""Read a session file into a Session, or into every located problem it has.

Each problem is one line, `path:line:col: message`, naming the offending value and what is allowed.
The loader never raises anything but LoadError, whatever bytes it is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from oxybreathe.core import paths, sounds, yamlnodes
from oxybreathe.core.model import (
    BUILTIN_SOUNDS,
    CHIME_KEYS,
    CLOSING_TOPICS,
    CYCLES_MAX,
    EVERY_MIN_SECONDS,
    NAME_MAX_CHARS,
    PHASE_MAX_SECONDS,
    PHASE_MIN_SECONDS,
    PHASE_NAMES,
    SESSION_MAX_SECONDS,
    BreatheStep,
    Chimes,
    Phase,
    PhaseName,
    Position,
    SayStep,
    Session,
    Sound,
    Step,
)
from oxybreathe.core.plan import LengthError, lay_out
from oxybreathe.core.problems import LoadError, Problem
from oxybreathe.core.safe_text import shorten
from oxybreathe.core.validation import Checker, read_text, show, suggest
from oxybreathe.core.yamlnodes import Node, YamlProblem

T = TypeVar("T")

TOP_KEYS = (
    *("version", "name", "description", "minutes", "chimes", "closing", "steps"),
    *("caution", "acute", "min_minutes"),  # issue 16
    "open_ended",  # true: the filling step runs until the user stops
)
SAY_KEYS = ("say", "seconds", "audio")
BREATHE_KEYS = ("breathe", "cycles", "minutes", "say")
PHASE_KEYS = ("phase", "seconds", "cue")
CHIMES_KEYS = (*CHIME_KEYS, "every")
FORMAT_VERSION = 1


def load_session(path: Path, *, builtin: bool = False, session_id: str | None = None) -> Session:
    """Load and validate the session file at `path`.

    Raises LoadError with every problem found.
    """
    shown = paths.shown(path)
    text = read_text(path, shown)
    return parse_session(
        text,
        shown,
        base_dir=path.parent,
        session_id=session_id or paths.shown(path.stem),
        path=path,
        builtin=builtin,
    )


def parse_session(
    text: str,
    shown: str = "<text>",
    *,
    base_dir: Path | None = None,
    session_id: str = "session",
    path: Path | None = None,
    builtin: bool = False,
) -> Session:
    """Validate session YAML given as text; `shown` is the path used in messages."""
    try:
        root = yamlnodes.compose(text)
    except YamlProblem as problem:
        raise LoadError([Problem(shown, problem.line, problem.col, problem.message)]) from None
    except RecursionError:  # pragma: no cover - compose is iterative; this is a last guard
        raise LoadError([Problem(shown, 1, 1, "the YAML nests too deeply")]) from None
    validator = SessionValidator(shown, base_dir or Path.cwd())
    session = validator.session(root, session_id, path, builtin)
    if validator.problems or session is None:
        problems = sorted(validator.problems, key=lambda p: (p.line, p.col))
        raise LoadError(problems)
    return session


class _Invalid:
    """The type of _INVALID: a value that was wrong and has been reported."""


_INVALID = _Invalid()


class SessionValidator(Checker):
    """The session format, on the shared building blocks."""

    def __init__(self, shown: str, base_dir: Path) -> None:
        super().__init__(shown, base_dir)
        self.recorded: dict[Path, float] = {}  # each recording named so far, and its length

    # The format ----------------------------------------------------------------------------

    def session(
        self, root: Node | None, session_id: str, path: Path | None, builtin: bool
    ) -> Session | None:
        if root is None:
            self.problems.append(
                Problem(
                    self.shown,
                    1,
                    1,
                    "the file is empty: a session needs at least `name` and `steps`",
                )
            )
            return None
        fields = self.mapping(root, "a session file", TOP_KEYS)
        if fields is None:
            return None
        if "version" in fields:
            version = fields["version"]
            if version.tag != yamlnodes.INT or yamlnodes.number(version) != FORMAT_VERSION:
                self.error(version, f"`version` must be {FORMAT_VERSION}, got {show(version)}")
        name = None
        for key in ("name", "steps"):
            if key not in fields:
                self.error(root, f"missing required key `{key}`")
        if "name" in fields:
            name = self.text(fields["name"], "`name`", limit=NAME_MAX_CHARS)
        description = (
            self.text(fields["description"], "`description`") if "description" in fields else ""
        )
        minutes = None
        if "minutes" in fields:
            minutes = self.number(
                fields["minutes"], "`minutes`", 0, SESSION_MAX_SECONDS / 60, "minutes"
            )
        open_ended = False
        if "open_ended" in fields:
            open_ended = yamlnodes.flag(fields["open_ended"]) or False
            if yamlnodes.flag(fields["open_ended"]) is None:
                self.error(
                    fields["open_ended"],
                    f"`open_ended` must be true or false, got {show(fields['open_ended'])}",
                )
            elif open_ended and "minutes" in fields:
                self.error(
                    fields["minutes"],
                    "give `minutes` or `open_ended: true` for a session, not both",
                )
        caution = self.text(fields["caution"], "`caution`") if "caution" in fields else None
        acute = (
            self.text(fields["acute"], "`acute`", limit=NAME_MAX_CHARS)
            if "acute" in fields
            else None
        )
        min_minutes = None
        if "min_minutes" in fields:
            min_minutes = self.number(
                fields["min_minutes"], "`min_minutes`", 0, SESSION_MAX_SECONDS / 60, "minutes"
            )
        chimes = self.chimes(fields["chimes"]) if "chimes" in fields else Chimes()
        topic, closing = self.closing(fields["closing"]) if "closing" in fields else (None, None)
        steps: list[Step] | None = (
            self.each(fields["steps"], "`steps`", self.step) if "steps" in fields else None
        )
        if self.problems or name is None or steps is None or chimes is None:
            return None
        session = Session(
            id=session_id,
            name=name,
            description=description or "",
            minutes=minutes,
            steps=tuple(steps),
            chimes=chimes,
            closing_topic=topic,
            closing_text=closing,
            path=path,
            builtin=builtin,
            open_ended=open_ended,
            caution=caution,
            acute=acute,
            min_minutes=min_minutes,
        )
        try:
            lay_out(session)
        except LengthError as error:
            where = fields.get("open_ended") if open_ended else fields.get("minutes")
            self.error(where or fields["steps"], str(error))
            return None
        return session

    def closing(self, node: Node) -> tuple[Any, str | None]:
        value = self.text(node, "`closing`")
        if value is None:
            return None, None
        if value.strip() in CLOSING_TOPICS:
            return value.strip(), None
        if len(value.split()) == 1:
            self.error(
                node,
                f"unknown closing topic {show(node)}{suggest(value, CLOSING_TOPICS)}"
                f" (use {', '.join(CLOSING_TOPICS)}, or write the note as a sentence)",
            )
            return None, None
        return None, value

    def chimes(self, node: Node) -> Chimes | None:
        fields = self.mapping(node, "`chimes`", CHIMES_KEYS)
        if fields is None:
            return None
        sounds: dict[str, Sound | None] = {}
        ok = True
        for key in CHIME_KEYS:
            if key in fields:
                sound = self.sound(fields[key], f"`chimes.{key}`")
                if isinstance(sound, _Invalid):
                    ok = False
                else:
                    sounds[key] = sound
        every = None
        if "every" in fields:
            every = self.number(
                fields["every"], "`chimes.every`", EVERY_MIN_SECONDS, SESSION_MAX_SECONDS, "seconds"
            )
            ok = ok and every is not None
            if "interval" not in fields:
                self.error(fields["every"], "`chimes.every` needs an `interval` sound to ring")
                ok = False
        if sounds.get("interval") is not None and every is None and "every" not in fields:
            self.error(fields["interval"], "`chimes.interval` needs `every: SECONDS` beside it")
            ok = False
        return Chimes(**sounds, interval_seconds=every) if ok else None

    def sound(self, node: Node, what: str) -> Sound | None | _Invalid:
        """Return a Sound, None for silence, or _INVALID after reporting a problem."""
        if node.kind == "scalar" and node.tag == yamlnodes.NULL:
            return None
        value = self.text(node, what)
        if value is None:
            return _INVALID
        value = value.strip()
        if value.lower() == "none":
            return None
        if value in BUILTIN_SOUNDS:
            return Sound(builtin=value)
        if not any(mark in value for mark in ("/", "\\", ".")) and not value.startswith("~"):
            self.error(
                node,
                f"unknown sound {show(node)} for {what}"
                f"{suggest(value, BUILTIN_SOUNDS)} (use {', '.join(BUILTIN_SOUNDS)}, "
                "a path to a .wav file, or none)",
            )
            return _INVALID
        path = self.path(node, value, what)
        if path is None:
            return _INVALID
        if path.suffix.lower() != ".wav":
            self.error(node, f"{what} must be a .wav file, got {show(node)}")
            return _INVALID
        if self.playable(node, path, what, "sound file", sounds.MAX_SECONDS) is None:
            return _INVALID
        return Sound(path=path)

    def playable(
        self, node: Node, path: Path, what: str, noun: str, max_seconds: float
    ) -> float | None:
        """The length of the sound at `path`, or None after reporting why it cannot play."""
        try:
            return sounds.check(path, max_seconds=max_seconds)
        except sounds.Missing:
            self.error(node, f"{noun} not found for {what}: {shorten(str(path), 200)}")
        except sounds.Unplayable as why:
            self.error(node, f"{what} cannot be played: {shorten(str(path), 200)}: {why}")
        return None

    def step(self, node: Node) -> Step | None:
        if node.kind != "map":
            self.error(
                node,
                f"a step must be a mapping starting with `say:` or `breathe:`, got {show(node)}",
            )
            return None
        keys = {str(key.value) for key, _ in node.value if key.kind == "scalar"}
        if "breathe" in keys:
            return self.breathe(node)
        if "say" in keys:
            return self.say(node)
        self.error(
            node,
            "a step needs `say:` (a prompt) or `breathe:` (a breathing cycle)"
            + suggest(next(iter(keys), ""), ("say", "breathe")),
        )
        return None

    def say(self, node: Node) -> SayStep | None:
        fields = self.mapping(node, "a say step", SAY_KEYS)
        if fields is None:
            return None
        text = self.text(fields["say"], "`say`")
        seconds = None
        if "seconds" in fields:
            seconds = self.number(fields["seconds"], "`seconds`", 0, SESSION_MAX_SECONDS, "seconds")
            if seconds is None:
                return None
        recording = self.recording(fields["audio"]) if "audio" in fields else None
        if text is None or isinstance(recording, _Invalid):
            return None
        audio, audio_seconds = recording if recording is not None else (None, None)
        return SayStep(text, seconds, Position(node.line, node.col), audio, audio_seconds)

    def recording(self, node: Node) -> tuple[Sound, float] | _Invalid:
        """A step's `audio:`: a recording and its length, or _INVALID after a problem."""
        value = self.text(node, "`audio`")
        if value is None:
            return _INVALID
        path = self.path(node, value.strip(), "`audio`")
        if path is None:
            return _INVALID
        if path.suffix.lower() not in sounds.RECORDING_FORMATS:
            kinds = ", ".join(sounds.RECORDING_FORMATS)
            self.error(node, f"`audio` must be a recording ({kinds}), got {show(node)}")
            return _INVALID
        seconds = self.playable(node, path, "`audio`", "recording", sounds.RECORDING_MAX_SECONDS)
        if seconds is None:
            return _INVALID
        self.recorded.setdefault(path, seconds)  # one file played twice is held once
        total = sum(self.recorded.values())
        if total > sounds.RECORDINGS_MAX_TOTAL_SECONDS:
            self.error(
                node,
                f"with this one, the session's recordings last {total / 60:.1f} minutes in all; "
                f"they may last at most {sounds.RECORDINGS_MAX_TOTAL_SECONDS / 60:g} minutes "
                "(the player holds them in memory)",
            )
            return _INVALID
        return Sound(path=path), seconds

    def breathe(self, node: Node) -> BreatheStep | None:
        fields = self.mapping(node, "a breathe step", BREATHE_KEYS)
        if fields is None:
            return None
        phases = self.each(fields["breathe"], "`breathe`", self.phase)
        cycles = minutes = None
        ok = True
        if "cycles" in fields and "minutes" in fields:
            self.error(fields["minutes"], "give `cycles` or `minutes` for a breathe step, not both")
            ok = False
        elif "cycles" in fields:
            cycles_node = fields["cycles"]
            count = yamlnodes.number(cycles_node) if cycles_node.tag == yamlnodes.INT else None
            if count is None or not 1 <= count <= CYCLES_MAX:
                self.error(
                    cycles_node,
                    f"`cycles` must be a whole number from 1 to {CYCLES_MAX}, "
                    f"got {show(cycles_node)}",
                )
                ok = False
            else:
                cycles = int(count)
        elif "minutes" in fields:
            minutes = self.number(
                fields["minutes"], "`minutes`", 0, SESSION_MAX_SECONDS / 60, "minutes"
            )
            ok = minutes is not None
        text = self.text(fields["say"], "`say`") if "say" in fields else None
        if phases is None:
            return None
        names = {phase.name for phase in phases}
        missing = [name for name in ("inhale", "exhale") if name not in names]
        if missing:
            self.error(
                fields["breathe"],
                f"a breathing cycle needs at least one inhale and one "
                f"exhale; this one has no {' and no '.join(missing)}",
            )
            return None
        if not ok or ("say" in fields and text is None):
            return None
        return BreatheStep(tuple(phases), cycles, minutes, text, Position(node.line, node.col))

    def phase(self, node: Node) -> Phase | None:
        if node.kind != "map":
            self.error(node, f"a phase must be `- inhale: 4` (or hold, exhale), got {show(node)}")
            return None
        keys = [str(key.value) for key, _ in node.value]
        if "phase" in keys:  # the long form: {phase: inhale, seconds: 1, cue: "..."}
            fields = self.mapping(node, "a phase", PHASE_KEYS)
            if fields is None:
                return None
            for key in ("phase", "seconds"):
                if key not in fields:
                    self.error(node, f"missing required key `{key}` in a phase")
            name = self.phase_name(fields["phase"]) if "phase" in fields else None
            seconds = self.seconds(fields["seconds"], name) if "seconds" in fields else None
            cue = self.text(fields["cue"], "`cue`") if "cue" in fields else None
            if name is None or seconds is None or ("cue" in fields and cue is None):
                return None
            return Phase(name, seconds, cue)
        if len(node.value) != 1:
            self.error(
                node,
                "a phase is one `name: seconds` pair, such as `- inhale: 4`; "
                f"this one has {len(node.value)}",
            )
            return None
        key_node, value = node.value[0]
        name = self.phase_name(key_node)
        seconds = self.seconds(value, name)
        return Phase(name, seconds) if name is not None and seconds is not None else None

    def phase_name(self, node: Node) -> PhaseName | None:
        value = str(node.value) if node.kind == "scalar" else ""
        if value in PHASE_NAMES:
            return value
        self.error(
            node,
            f"unknown phase {show(node)}{suggest(value, PHASE_NAMES)} "
            f"(phases are {', '.join(PHASE_NAMES)})",
        )
        return None

    def seconds(self, node: Node, name: str | None) -> float | None:
        what = f"`{name}`" if name else "a phase"
        return self.number(node, what, PHASE_MIN_SECONDS, PHASE_MAX_SECONDS, "seconds")
