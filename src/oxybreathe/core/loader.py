"""Read a session file into a Session, or into every located problem it has.

Each problem is one line, `path:line:col: message`, naming the offending value and what is allowed.
The loader never raises anything but LoadError, whatever bytes it is given.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from oxybreathe.core import paths, sounds, yamlnodes
from oxybreathe.core.model import (
    BUILTIN_SOUNDS,
    CHIME_KEYS,
    CLOSING_TOPICS,
    CYCLES_MAX,
    EVERY_MIN_SECONDS,
    FILE_MAX_BYTES,
    NAME_MAX_CHARS,
    PHASE_MAX_SECONDS,
    PHASE_MIN_SECONDS,
    PHASE_NAMES,
    SESSION_MAX_SECONDS,
    TEXT_MAX_CHARS,
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
from oxybreathe.core.yamlnodes import Node, YamlProblem

T = TypeVar("T")

TOP_KEYS = ("version", "name", "description", "minutes", "chimes", "closing", "steps")
SAY_KEYS = ("say", "seconds")
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
    validator = Validator(shown, base_dir or Path.cwd())
    session = validator.session(root, session_id, path, builtin)
    if validator.problems or session is None:
        problems = sorted(validator.problems, key=lambda p: (p.line, p.col))
        raise LoadError(problems)
    return session


def read_text(path: Path, shown: str, *, kind: str = "session file") -> str:
    """The text of the `kind` of file at `path`, bounded, decoded from UTF-8; else LoadError."""

    def fail(message: str, line: int = 1, col: int = 1) -> LoadError:
        return LoadError([Problem(shown, line, col, message)])

    try:
        data = paths.read_file(path, FILE_MAX_BYTES)  # bounded; never opens a FIFO or device
    except paths.NotAFile as problem:
        raise fail(f"this is {problem.kind}, not a {kind}") from None
    except paths.PathProblem as problem:
        raise fail(str(problem)) from None
    if len(data) > FILE_MAX_BYTES:
        raise fail(
            f"the file is larger than {FILE_MAX_BYTES // 1024} KiB, the most a {kind} may be"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        raise fail(
            f"byte 0x{byte:02X} is not UTF-8: save the file as UTF-8 text", line, col
        ) from None


def _suggest(word: str, choices: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{matches[0]}`?" if matches else ""


def show(node: Node) -> str:
    """A node as a message quotes it: `a list`, `nothing`, or its text (with its tag, if any)."""
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    if node.tag == yamlnodes.NULL and not node.tagged:
        return "nothing"
    return f"`{shorten(node.written)}`"


# Numbers as people write them that YAML reads as text, each with how to write it instead.
_COMMA_DECIMAL = re.compile(r"[-+]?[0-9]+,[0-9]+", re.ASCII)
_EXPONENT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+", re.ASCII)


def _read_as_text(node: Node) -> str:
    """Why YAML read a plain value that looks like a number as text, or ""."""
    if node.kind != "scalar" or node.tag != yamlnodes.STR or node.tagged:
        return ""
    text = str(node.value)
    if _COMMA_DECIMAL.fullmatch(text):
        return f" (write decimals with a point: `{shorten(text.replace(',', '.'))}`)"
    if _EXPONENT.fullmatch(text):  # YAML 1.1 wants both a point and a signed exponent
        return " (YAML reads this as text: write it in digits, or as in 1.0e+3)"
    return ""


class _Invalid:
    """The type of _INVALID: a value that was wrong and has been reported."""


_INVALID = _Invalid()


class Validator:
    """Walk the node tree once, collecting every problem rather than stopping at the first."""

    def __init__(self, shown: str, base_dir: Path) -> None:
        self.shown = shown
        self.base_dir = base_dir
        self.problems: list[Problem] = []

    def error(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.shown, node.line, node.col, message))

    # Building blocks -----------------------------------------------------------------------

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        """Return a mapping's values by key, reporting unknown, duplicate and non-text keys."""
        if node.kind != "map":
            self.error(node, f"{what} must be a mapping of `key: value` lines, got {show(node)}")
            return None
        found: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value in node.value:
            if key_node.kind != "scalar":
                self.error(key_node, f"a key in {what} must be a plain word, got {show(key_node)}")
                continue
            key = str(key_node.value)
            if key in first_line:
                self.error(
                    key_node,
                    f"duplicate key `{shorten(key)}` in {what} "
                    f"(first given on line {first_line[key]})",
                )
                continue
            first_line[key] = key_node.line
            if key not in allowed:
                self.error(
                    key_node,
                    f"unknown key `{shorten(key)}` in {what}"
                    f"{_suggest(key, allowed)} (allowed: {', '.join(allowed)})",
                )
                continue
            found[key] = value
        return found

    def text(self, node: Node, what: str, *, limit: int = TEXT_MAX_CHARS) -> str | None:
        """Return a scalar's text exactly as written (so `say: no` stays "no")."""
        if node.kind != "scalar" or node.tag == yamlnodes.NULL:
            self.error(node, f"{what} must be text, got {show(node)}")
            return None
        value = str(node.value)
        if not value.strip():
            self.error(node, f"{what} must not be empty")
            return None
        if len(value) > limit:
            self.error(node, f"{what} is {len(value)} characters long; at most {limit} are allowed")
            return None
        return value

    def number(self, node: Node, what: str, low: float, high: float, unit: str) -> float | None:
        """Return a finite number from `low` (exclusive when 0) to `high`."""
        allowed = (
            f"a number from {low:g} to {high:g} {unit}"
            if low
            else f"a number above 0 and at most {high:g} {unit}"
        )
        value = yamlnodes.number(node)
        if value is None:
            self.error(node, f"{what} must be {allowed}, got {show(node)}{_read_as_text(node)}")
            return None
        if not math.isfinite(value):
            self.error(node, f"{what} must be a finite number ({allowed}), got {show(node)}")
            return None
        if value <= 0 or value < low or value > high:
            self.error(node, f"{what} must be {allowed}, got {show(node)}")
            return None
        return value

    def each(self, node: Node, what: str, read: Callable[[Node], T | None]) -> list[T] | None:
        """Read every item of a non-empty list."""
        if node.kind != "seq":
            self.error(node, f"{what} must be a list of `- ` items, got {show(node)}")
            return None
        if not node.value:
            self.error(node, f"{what} must have at least one item")
            return None
        items = [read(item) for item in node.value]
        kept = [item for item in items if item is not None]
        return kept if len(kept) == len(items) else None

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
        )
        try:
            lay_out(session)
        except LengthError as error:
            self.error(fields.get("minutes", fields["steps"]), str(error))
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
                f"unknown closing topic {show(node)}{_suggest(value, CLOSING_TOPICS)}"
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
                f"{_suggest(value, BUILTIN_SOUNDS)} (use {', '.join(BUILTIN_SOUNDS)}, "
                "a path to a .wav file, or none)",
            )
            return _INVALID
        try:
            path = paths.expand(value)
        except paths.PathProblem as problem:
            self.error(node, f"{what}: {problem}")
            return _INVALID
        if not path.is_absolute():
            path = self.base_dir / path
        if path.suffix.lower() != ".wav":
            self.error(node, f"{what} must be a .wav file, got {show(node)}")
            return _INVALID
        try:
            sounds.check(path)
        except sounds.Missing:
            self.error(node, f"sound file not found for {what}: {shorten(str(path), 200)}")
            return _INVALID
        except sounds.Unplayable as why:
            self.error(node, f"{what} cannot be played: {shorten(str(path), 200)}: {why}")
            return _INVALID
        return Sound(path=path)

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
            + _suggest(next(iter(keys), ""), ("say", "breathe")),
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
        if text is None:
            return None
        return SayStep(text, seconds, Position(node.line, node.col))

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
            f"unknown phase {show(node)}{_suggest(value, PHASE_NAMES)} "
            f"(phases are {', '.join(PHASE_NAMES)})",
        )
        return None

    def seconds(self, node: Node, name: str | None) -> float | None:
        what = f"`{name}`" if name else "a phase"
        return self.number(node, what, PHASE_MIN_SECONDS, PHASE_MAX_SECONDS, "seconds")
