"""oxybreathe: guided breathing and mindfulness in the terminal."""

__version__ = "0.1.0"
