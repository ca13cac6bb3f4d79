"""Help lines by country: who to call in a crisis, and, kept apart, where to find treatment.

Pure data and lookups, importable at once (no YAML): `--help` ends with one of these lines.
The data is /work/shared/science/facts.md's "Help lines by country"; each service's own website,
named as its `source`, is the authority for its number.

The country is the settings file's `country:`, else the locale's (LC_ALL, LC_MESSAGES, LANG, in
POSIX order), else none: then the general lines (112 in the EU, local emergency services, and
the international directory) apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    """One service: its name, how to reach it, and the website that is the authority for it."""

    name: str
    reach: str
    source: str

    def text(self) -> str:
        return f"{self.name} - {self.reach}"


@dataclass(frozen=True, slots=True)
class Helplines:
    """The lines for one country (or the general ones): crisis lines, the emergency number,
    and treatment lines, which are not for a crisis."""

    code: str | None
    country: str
    emergency: str
    crisis: tuple[Line, ...]
    treatment: tuple[Line, ...] = ()


DIRECTORY = Line(
    "Find A Helpline",
    "findahelpline.com lists free helplines in many countries",
    "findahelpline.com (ThroughLine)",
)
EU_112 = "112"

_US = Helplines(
    "US",
    "the United States",
    "911",
    (Line("988 Suicide & Crisis Lifeline", "call or text 988, free, 24/7", "988lifeline.org"),),
    (
        Line(
            "SAMHSA National Helpline",
            "1-800-662-4357 (1-800-662-HELP), free, confidential, 24/7; "
            "information and referral to local treatment",
            "samhsa.gov/find-help/national-helpline",
        ),
    ),
)
_CA = Helplines(
    "CA",
    "Canada",
    "911",
    (Line("9-8-8 Suicide Crisis Helpline", "call or text 988, free, 24/7", "988.ca"),),
)
_SAMARITANS = Line("Samaritans", "call 116 123, free, 24/7", "samaritans.org")
_GB = Helplines(
    "GB",
    "the United Kingdom",
    "999 or 112",
    (_SAMARITANS,),
    (Line("FRANK (drug information)", "0300 123 6600", "talktofrank.com"),),
)
_IE = Helplines("IE", "Ireland", "112", (_SAMARITANS,))
_AU = Helplines(
    "AU",
    "Australia",
    "000",
    (Line("Lifeline", "call 13 11 14, 24/7", "lifeline.org.au"),),
)
_NZ = Helplines(
    "NZ",
    "New Zealand",
    "111",
    (Line("Need to talk?", "free call or text 1737, 24/7", "1737.org.nz"),),
)
GENERAL = Helplines(
    None,
    "anywhere",
    "your local emergency number (112 in every EU country)",
    (DIRECTORY,),
)

# The member states of the European Union, where 112 always answers.
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
COUNTRIES: Mapping[str, Helplines] = {
    lines.code: lines for lines in (_US, _CA, _GB, _IE, _AU, _NZ) if lines.code is not None
}
# Codes a locale may use for a country above.
ALIASES = {"UK": "GB"}
KNOWN = frozenset(COUNTRIES) | EU | frozenset(ALIASES)

_LOCALE = re.compile(r"^[A-Za-z]{2,3}_([A-Za-z]{2})(?:[.@]|$)")


def normal(code: str) -> str | None:
    """`code` as a known two-letter country code (upper case), or None."""
    code = code.strip().upper()
    code = ALIASES.get(code, code)
    return code if code in KNOWN else None


def from_locale(environ: Mapping[str, str]) -> str | None:
    """The country of the locale (`en_GB.UTF-8` -> GB), or None (C, POSIX, unset, unknown).

    The first of LC_ALL, LC_MESSAGES and LANG that is set decides, as for every POSIX program.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            match = _LOCALE.match(value)
            return normal(match.group(1)) if match else None
    return None


def lookup(country: str | None, environ: Mapping[str, str]) -> Helplines:
    """The help lines for the settings' `country` (already checked), else the locale's."""
    code = normal(country) if country else from_locale(environ)
    if code is None:
        return GENERAL
    if code in COUNTRIES:
        return COUNTRIES[code]
    return Helplines(code, code, EU_112, (DIRECTORY,))  # an EU country we have no line for


def one_line(lines: Helplines) -> str:
    """The one line that ends `--help`, every closing, and plain mode stopped early."""
    first = lines.crisis[0]
    if lines is GENERAL or first is DIRECTORY:
        return f"In an emergency, call {lines.emergency}. Free helplines: findahelpline.com."
    return f"In a crisis: {first.name}, {first.reach}. Emergency: {lines.emergency}."


def full_text(lines: Helplines) -> list[str]:
    """Every line for `oxybreathe help` and the help screen: crisis first, treatment apart."""
    where = "" if lines.code is None else f" ({lines.code})"
    out = [f"If you are in danger now, call {lines.emergency}.", "", f"Crisis lines{where}:"]
    for line in lines.crisis:
        out += [f"  {line.text()}", f"    source: {line.source}"]
    if lines.treatment:
        out += ["", "Finding treatment (not crisis lines):"]
        for line in lines.treatment:
            out += [f"  {line.text()}", f"    source: {line.source}"]
    if DIRECTORY not in lines.crisis:
        out += ["", f"Elsewhere: {DIRECTORY.reach}."]
    return out


NOT_FOR_EMERGENCIES = (
    "oxybreathe is a breathing and mindfulness tool. It is not for emergencies and does not "
    "replace treatment or medical care."
)
NOT_ON_FIRST_RUN = "oxybreathe is not for emergencies, and does not replace treatment."
WHERE_TO_CHANGE = (
    "The country comes from `country:` in the settings file (e.g. `country: GB`), "
    "else from your locale."
)
