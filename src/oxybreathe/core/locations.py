"""Every place oxybreathe reads or writes, in one module (platformdirs honours XDG_*_HOME).

Nothing here creates a directory at import time, nor imports platformdirs (start-up time):
`oxybreathe validate`, which reads no folder of the user's, never needs it.
"""

from __future__ import annotations

from pathlib import Path

APP = "oxybreathe"
SETTINGS_FILENAME = "config.yaml"


def config_dir() -> Path:
    """The user's config folder, e.g. ~/.config/oxybreathe."""
    import platformdirs

    return platformdirs.user_config_path(APP)


def settings_file() -> Path:
    """The user's settings file (core.config reads it)."""
    return config_dir() / SETTINGS_FILENAME


def user_sessions_dir() -> Path:
    """Where the user's own session files live."""
    return config_dir() / "sessions"


def reminders_file() -> Path:
    """The reminders the user set (`oxybreathe remind`): the truth `remind list` shows."""
    return config_dir() / "reminders.json"


def systemd_user_dir() -> Path:
    """Where systemd looks for the user's own units (~/.config/systemd/user)."""
    import platformdirs

    return platformdirs.user_config_path("systemd", appauthor=False) / "user"


def launch_agents_dir() -> Path:
    """Where launchd looks for the user's own agents on macOS."""
    return Path.home() / "Library" / "LaunchAgents"


def data_dir() -> Path:
    """The user's data folder, e.g. ~/.local/share/oxybreathe (history, remembered choices)."""
    import platformdirs

    return platformdirs.user_data_path(APP)


def state_dir() -> Path:
    """The user's state folder, e.g. ~/.local/state/oxybreathe (logs)."""
    import platformdirs

    return platformdirs.user_state_path(APP)


def cache_dir() -> Path:
    """The user's cache folder, e.g. ~/.cache/oxybreathe (what can be rebuilt at any time)."""
    import platformdirs

    return platformdirs.user_cache_path(APP)


def audio_log() -> Path:
    """Where the sound worker's own messages go (ALSA's among them), never the terminal."""
    return state_dir() / "audio.log"


def _packaged(name: str) -> Path:
    """A folder shipped in the wheel, or the top-level one in a source checkout."""
    # The package's own folder, as importlib.resources.files would say (which costs ~6 ms of
    # imports on the way to the first useful screen).
    here = Path(__file__).resolve().parents[1]
    inside = here / name
    if inside.is_dir():
        return inside
    return here.parents[1] / name


def builtin_sessions_dir() -> Path:
    """The built-in session library."""
    return _packaged("sessions")


def builtin_audio_dir() -> Path:
    """The shipped sounds."""
    return _packaged("audio")
