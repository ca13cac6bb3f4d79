"""The Textual app: a thin layer that only renders the core's plans and events."""
