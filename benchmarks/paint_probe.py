"""Run an app in a real terminal and record when Textual reports its first paint.

Textual posts `Ready` to the app once the first screen has been painted. This wrapper patches
`App.on_ready` (for every app alike), notes the time since the wrapper started, and exits.
For oxybreathe it also notes when the home screen has listed the sessions, which happens just
after the first paint.

    python -m benchmarks.paint_probe (oxybreathe|hello) RESULT_FILE
"""

from __future__ import annotations

import sys
import time

STARTED = time.perf_counter()


def main() -> None:
    which, result = sys.argv[1], sys.argv[2]
    import textual.app

    marks: dict[str, float] = {}

    def record(name: str) -> None:
        marks.setdefault(name, (time.perf_counter() - STARTED) * 1000)

    def on_ready(self: textual.app.App[object]) -> None:
        record("paint")
        if which == "hello":
            self.exit()

    textual.app.App.on_ready = on_ready  # type: ignore[attr-defined]
    if which == "hello":
        from textual.widgets import Static

        class Hello(textual.app.App[None]):
            def compose(self):  # type: ignore[no-untyped-def]
                yield Static("Hello, world")

        Hello().run()
    else:
        from oxybreathe.ui.screens.home import HomeScreen

        reload = HomeScreen.reload

        def reload_and_record(self: HomeScreen, select: str | None = None) -> None:
            reload(self, select)
            record("listed")
            self.app.call_after_refresh(self.app.exit)

        HomeScreen.reload = reload_and_record  # type: ignore[method-assign]
        from oxybreathe.cli import main as cli_main

        sys.argv = ["oxybreathe"]
        cli_main([])
    with open(result, "a", encoding="utf-8") as out:
        out.write(" ".join(f"{k}={v:.1f}" for k, v in marks.items()) + "\n")


if __name__ == "__main__":
    main()
