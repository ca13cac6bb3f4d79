"""The exit statuses of the `oxybreathe` command, shared by the CLI and plain mode."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What `oxybreathe` exits with. A signal n gives 128 + n, as shells report it."""

    OK = 0
    INVALID = 1  # a file or setting has problems (validate, config, history)
    USAGE = 2  # the command line asked for something that cannot be done
    INTERRUPTED = 130  # 128 + SIGINT: Ctrl+C


def signalled(signum: int) -> int:
    """The status for a process ended by signal `signum`."""
    return 128 + signum
