"""The JSON Schema of session format version 1, for editors with the YAML language server.

The loader is the authority; this schema mirrors it so editors can complete and check as you type.
"""

from __future__ import annotations

import json
from typing import Any

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
)

SCHEMA_FILENAME = "oxybreathe-session.schema.json"


def _text(description: str, max_length: int = TEXT_MAX_CHARS) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "description": description}


def schema() -> dict[str, Any]:
    """Return the schema as a dict."""
    seconds = {"type": "number", "minimum": PHASE_MIN_SECONDS, "maximum": PHASE_MAX_SECONDS}
    minutes = {"type": "number", "exclusiveMinimum": 0, "maximum": SESSION_MAX_SECONDS / 60}
    sound = {
        "description": "A built-in sound, a path to a .wav file (relative to this file), or none.",
        "anyOf": [
            {"enum": [*BUILTIN_SOUNDS, "none", None]},
            {"type": "string", "pattern": r"(?i)\.wav$"},
        ],
    }
    short_phase = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"enum": list(PHASE_NAMES)},
        "additionalProperties": {**seconds, "description": "Seconds"},
    }
    long_phase = {
        "type": "object",
        "required": ["phase", "seconds"],
        "additionalProperties": False,
        "properties": {
            "phase": {"enum": list(PHASE_NAMES)},
            "seconds": seconds,
            "cue": _text("Text shown during this phase, e.g. 'Sip in a little more'."),
        },
    }
    say_step = {
        "type": "object",
        "required": ["say"],
        "additionalProperties": False,
        "properties": {
            "say": _text("A prompt to show."),
            "seconds": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": SESSION_MAX_SECONDS,
                "description": "How long the prompt shows; omit it to fill (or, with `audio`, "
                "to last as long as the recording and a short pause).",
            },
            "audio": {
                "type": "string",
                "pattern": r"(?i)\.(wav|flac|ogg|mp3)$",
                "description": "A recording of the prompt, played at its start: a .wav, .flac, "
                ".ogg or .mp3 file, relative to the session file.",
            },
        },
    }
    breathe_step = {
        "type": "object",
        "required": ["breathe"],
        "additionalProperties": False,
        "not": {"required": ["cycles", "minutes"]},
        "properties": {
            "breathe": {
                "type": "array",
                "minItems": 1,
                "items": {"oneOf": [short_phase, long_phase]},
                "description": "One breathing cycle: phases in order.",
            },
            "cycles": {"type": "integer", "minimum": 1, "maximum": CYCLES_MAX},
            "minutes": {**minutes, "description": "Rounded to whole cycles."},
            "say": _text("Text shown during the step."),
        },
    }
    chimes: dict[str, Any] = {key: sound for key in CHIME_KEYS}
    chimes["every"] = {
        "type": "number",
        "minimum": EVERY_MIN_SECONDS,
        "maximum": SESSION_MAX_SECONDS,
        "description": "Seconds between interval sounds.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://oxybreathe.invalid/schema/session-v1.json",
        "title": "oxybreathe session",
        "type": "object",
        "required": ["name", "steps"],
        "additionalProperties": False,
        "properties": {
            "version": {"const": 1},
            "name": _text("The session's name.", NAME_MAX_CHARS),
            "description": _text("What the session is for, and any caution."),
            "minutes": {**minutes, "description": "Default length in minutes."},
            "chimes": {"type": "object", "additionalProperties": False, "properties": chimes},
            "closing": {
                "anyOf": [{"enum": list(CLOSING_TOPICS)}, {"type": "string", "pattern": r"\s"}],
                "description": "A closing-note topic, or your own note as a sentence.",
            },
            "steps": {"type": "array", "minItems": 1, "items": {"oneOf": [breathe_step, say_step]}},
            "open_ended": {
                "type": "boolean",
                "description": "True: the step that fills runs until you stop (no `minutes`).",
            },
            "caution": _text("Said at the start, before the first hold: when to stop."),
            "acute": _text(
                "For the moment of need: a short label, e.g. 'for an urge, right now'. "
                "Listed first on home.",
                NAME_MAX_CHARS,
            ),
            "min_minutes": {**minutes, "description": "The shortest length it may run."},
        },
    }


def schema_json() -> str:
    """Return the schema as indented JSON text with a final newline."""
    return json.dumps(schema(), indent=2) + "\n"


def limits() -> list[tuple[str, str]]:
    """The format's limits as docs/session-format.md tabulates them, written from the same
    constants the loader checks (tests/test_docs.py keeps the page in step)."""
    from oxybreathe.core import sounds, yamlnodes

    rates = f"{min(sounds.RATES) / 1000:g} to {max(sounds.RATES) / 1000:g} kHz"
    bits = ", ".join(str(8 * width) for width in sounds.WIDTHS[:-1])
    return [
        ("a phase", f"{PHASE_MIN_SECONDS:g} to {PHASE_MAX_SECONDS:g} seconds"),
        ("a cycle", "at least one inhale and one exhale"),
        ("`cycles`", f"a whole number from 1 to {CYCLES_MAX:,}"),
        ("`chimes.every`", f"at least {EVERY_MIN_SECONDS:g} seconds"),
        ("a session", f"at most {SESSION_MAX_SECONDS // 3600} hours"),
        ("`name`", f"1 to {NAME_MAX_CHARS} characters"),
        ("any other text", f"at most {TEXT_MAX_CHARS:,} characters"),
        ("a file", f"at most {FILE_MAX_BYTES // (1024 * 1024)} MiB, UTF-8"),
        ("nesting", f"at most {yamlnodes.MAX_DEPTH} levels"),
        ("values", f"at most {yamlnodes.MAX_EXPANDED_NODES:,}, counting what aliases repeat"),
        (
            "a chime file",
            f"a regular file of at most {sounds.MAX_BYTES / 1e6:.0f} MB: PCM WAV, {bits} or "
            f"{8 * sounds.WIDTHS[-1]}-bit, mono or stereo, {rates}, at most "
            f"{sounds.MAX_SECONDS:g} s, at most {sounds.MAX_CHUNKS} chunks before the sound",
        ),
        (
            "a recording (`audio`)",
            f"WAV as a chime file, or FLAC, Ogg Vorbis or MP3; at most "
            f"{sounds.RECORDING_MAX_SECONDS / 60:g} minutes and "
            f"{sounds.max_bytes(sounds.RECORDING_MAX_SECONDS) / 1e6:,.0f} MB; a session's "
            f"recordings at most {sounds.RECORDINGS_MAX_TOTAL_SECONDS / 60:g} minutes in all",
        ),
    ]
