"""The session history: one SQLite file in the user data folder, never sent anywhere.

One module per layer:

    store.py      the file: schema, migrations, reading and writing rows (one thread only)
    rows.py       a row as read back, checked value by value (an unreadable one is left out)
    faults.py     what SQLite's result codes mean for the file: move it aside, or leave it be
    opening.py    opening the file with every fault handled: never raises, always one line
    pending.py    the writes not yet in the file, and when to try them again
    writer.py     Recorder: every call on one background thread, so no front end waits on disk
    recording.py  one session's row, as the session flow keeps it
"""

from oxybreathe.core.history.opening import Opened, history_path, open_store
from oxybreathe.core.history.recording import Recording
from oxybreathe.core.history.rows import Read, Row
from oxybreathe.core.history.store import FILENAME, MIGRATIONS, SCHEMA_VERSION, Store
from oxybreathe.core.history.writer import Recorder

__all__ = [
    "FILENAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Opened",
    "Read",
    "Recorder",
    "Recording",
    "Row",
    "Store",
    "history_path",
    "open_store",
]
