"""The limits of session format version 1 (documented in docs/session-format.md).

`core.model` holds them too; they live here so that what reads them before any session is
loaded (the app's memory of the last length) does not import the model.
"""

NAME_MAX_CHARS = 80
TEXT_MAX_CHARS = 2000
PHASE_MIN_SECONDS = 0.5
PHASE_MAX_SECONDS = 120.0
SESSION_MAX_SECONDS = 3 * 60 * 60
CYCLES_MAX = 10_000  # `cycles` of a breathe step, from 1
EVERY_MIN_SECONDS = 5  # the shortest `chimes.every` between interval bells
FILE_MAX_BYTES = 1024 * 1024
# A filling step gets this much when neither --minutes nor the file's `minutes` gives a length.
DEFAULT_FILL_SECONDS = 120.0
# A filling `say` step never gets less than this, so a prompt is always readable.
SAY_MIN_SECONDS = 1.0
