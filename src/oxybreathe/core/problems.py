"""Located problems: what every file check reports, `path:line:col: message`.

Its own module, with nothing heavy imported, so that a command can catch a LoadError without
loading the YAML reader.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class LoadError(Exception):
    """A session file that cannot be used; `problems` holds every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
