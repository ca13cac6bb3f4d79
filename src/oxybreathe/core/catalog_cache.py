"""A cache of the parsed session files, so that listing them reads no YAML.

One file in the user's cache folder holds the Session parsed from each session file, and what
the session list shows of it (`Shown`: read without importing the model, so home's first
paint needs neither the model nor the plan), keyed by the file's path, whether it is built-in,
its size, mtime, ctime and inode. The whole cache is keyed by the oxybreathe version and the
core's code that made it, and checksummed. Anything wrong with it (missing, damaged, truncated,
from another version, too large, a folder or a device in its place, unreadable) is a miss: the
files are read again, and a new cache is written when it can be. Writes are whole and atomic
(a temp file, then `os.replace`); a folder that cannot be written means no cache, silently,
since nothing is lost.

A cached Session is for showing the list only. A session is loaded again from its file, fully
validated, when it runs, so a stale cache can never run a wrong session. Broken files are never
cached: their problems are read afresh each time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oxybreathe import __version__
from oxybreathe.core import locations

if TYPE_CHECKING:
    from oxybreathe.core.model import Session

FILENAME = "catalog.json"
FORMAT = "oxybreathe-catalog-2"
MAX_BYTES = 16 * 1024 * 1024  # the most read at start-up; a larger cache is a miss
ENTRY_MAX_BYTES = 256 * 1024  # a bigger session is read from its file each time instead


@dataclass(frozen=True, slots=True)
class Shown:
    """What the session list shows of a session: its name, when it is for, its description."""

    name: str
    acute: str | None
    description: str

    @classmethod
    def of(cls, session: Session) -> Shown:
        return cls(session.name, session.acute, session.description)

    def encoded(self) -> dict[str, str | None]:
        return {"name": self.name, "acute": self.acute, "description": self.description}

    @classmethod
    def decoded(cls, value: object) -> Shown | None:
        """The Shown `encoded` wrote, or None if `value` is not one."""
        if not isinstance(value, dict):
            return None
        name, acute, description = (value.get(k) for k in ("name", "acute", "description"))
        if not (isinstance(name, str) and isinstance(description, str)):
            return None
        return cls(name, acute, description) if acute is None or isinstance(acute, str) else None


class _Unencodable(TypeError):
    """A value this cache does not know how to write (the model grew a new kind)."""


def _code_stamp() -> str:
    """The version and the core's code: a cache made by other code is not read."""
    parts = [__version__]
    with contextlib.suppress(OSError), os.scandir(Path(__file__).parent) as found:
        for item in sorted(found, key=lambda item: item.name):
            if item.name.endswith(".py"):
                info = item.stat()
                parts.append(f"{item.name}:{info.st_size}:{info.st_mtime_ns}")
    return f"{__version__}:{zlib.crc32(' '.join(parts).encode()):08x}"


def _key(path: Path, builtin: bool) -> list[Any] | None:
    """What must not have changed for a cached entry to stand, or None (no such file)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return [builtin, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _stands(name: str, cached: object) -> bool:
    """Whether a cached entry still matches its file."""
    if not isinstance(cached, dict):
        return False
    key = cached.get("key")
    return isinstance(key, list) and bool(key) and key == _key(Path(name), key[0] is True)


def encode(value: Any) -> Any:
    """A model value as JSON: lists stand for tuples, `~type` names a model dataclass."""
    from oxybreathe.core import model

    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    if isinstance(value, Path):
        return {"~path": str(value)}
    if dataclasses.is_dataclass(value) and type(value).__module__ == model.__name__:
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"~type": type(value).__name__, **fields}
    raise _Unencodable(f"cannot cache a {type(value).__name__}")


def decode(value: Any) -> Any:
    """The model value `encode` wrote. Raises TypeError, KeyError or ValueError if it was not."""
    from oxybreathe.core import model  # only when a session is asked for, not to list

    if isinstance(value, list):
        return tuple(decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    if value.keys() == {"~path"}:
        return Path(value["~path"])
    kind = getattr(model, value["~type"], None)
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
        raise TypeError(f"not a model type: {value['~type']!r}")
    return kind(**{name: decode(item) for name, item in value.items() if name != "~type"})


class CatalogCache:
    """The cached sessions of one cache file: `get` a fresh one, `put` one just parsed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp = _code_stamp()
        self.entries: dict[str, dict[str, Any]] = self._read()

    def _read(self) -> dict[str, dict[str, Any]]:
        """The entries on disk, or none if anything about the file is wrong."""
        try:
            # O_NONBLOCK: a FIFO in the cache's place must not hang the app.
            descriptor = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return {}
        try:
            with open(descriptor, "rb", closefd=True) as stream:
                info = os.fstat(stream.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                    return {}
                data = stream.read(MAX_BYTES + 1)
        except OSError:
            return {}
        header, _, body = data.partition(b"\n")
        if len(data) > MAX_BYTES or header != self._header(body):
            return {}
        try:
            entries = json.loads(body)
        except (ValueError, RecursionError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def _header(self, body: bytes) -> bytes:
        return f"{FORMAT} {self.stamp} {zlib.crc32(body):08x}".encode()

    def _fresh(self, path: Path, builtin: bool) -> dict[str, Any] | None:
        cached = self.entries.get(str(path))
        if not isinstance(cached, dict) or cached.get("key") != _key(path, builtin):
            return None
        return cached

    def shown(self, path: Path, builtin: bool) -> Shown | None:
        """What the list shows of the session cached for `path`, if the file has not changed
        since; else None. Reads no session, and imports no model."""
        cached = self._fresh(path, builtin)
        return None if cached is None else Shown.decoded(cached.get("shown"))

    def get(self, path: Path, builtin: bool) -> Session | None:
        """The Session cached for `path`, if the file has not changed since; else None."""
        from oxybreathe.core.model import Session

        cached = self._fresh(path, builtin)
        if cached is None:
            return None
        try:
            session = decode(cached["session"])
        except (TypeError, KeyError, ValueError, AttributeError, RecursionError):
            return None
        return session if isinstance(session, Session) else None

    def put(self, path: Path, builtin: bool, session: Session) -> None:
        """Remember `session` as parsed from `path`, and write the cache (if it can be)."""
        key = _key(path, builtin)
        try:
            encoded = encode(session)
        except _Unencodable:
            return
        if key is None or len(json.dumps(encoded)) > ENTRY_MAX_BYTES:
            return
        # Drop what no longer stands (files removed or changed), so the cache cannot grow.
        self.entries = {name: old for name, old in self.entries.items() if _stands(name, old)}
        self.entries[str(path)] = {
            "key": key,
            "shown": Shown.of(session).encoded(),
            "session": encoded,
        }
        self._write()

    def _write(self) -> None:
        body = json.dumps(self.entries, separators=(",", ":")).encode()
        if len(body) > MAX_BYTES - 1024:
            return
        import tempfile  # only when writing, which a warm cache never does

        temp: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".catalog-", dir=self.path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(self._header(body) + b"\n" + body)
            os.replace(temp, self.path)
            temp = None
        except OSError:
            pass  # a read-only or full cache folder: the files are simply read each time
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)


_opened: CatalogCache | None = None


def default() -> CatalogCache:
    """This process's cache of the user's cache file (read once, re-read if the folder moves)."""
    global _opened
    path = locations.cache_dir() / FILENAME
    if _opened is None or _opened.path != path:
        _opened = CatalogCache(path)
    return _opened
