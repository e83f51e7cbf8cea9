"""gunicorn serving an app this process has already built: the workers fork with it.

`planmap serve --workers N` builds the app once anyway (a bad setting or bad data is one line and
no server). Handing gunicorn the import string `webmap:create_app()` made every worker import
folium, pandas and pypinyin and build the store again, so the first answer came after two builds
(one in the command, one per worker, the workers competing for the cores). Here gunicorn runs in
this process with `preload_app`: the built app is the master's, each worker is a fork of it, ready
at once, and the workers share the store's memory pages until they write to them.

Anything that runs threads or child processes must start them in the worker, on first use (or in
a `post_fork` hook of the config file): a fork copies no threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gunicorn.app.base import Application


class PreforkApplication(Application):
    """gunicorn with command-line options given as a list, serving a built WSGI app."""

    def __init__(self, app: Any, options: Sequence[str]) -> None:
        self.application = app
        self.options = list(options)
        super().__init__(usage="planmap serve --workers N", prog="planmap serve")

    def init(self, parser: Any, opts: Any, args: Any) -> None:
        return None

    def load_config(self) -> None:
        """The options as gunicorn's own parser reads them: a `--config` file first, then the
        options themselves; preload_app always (the app exists already)."""
        parser = self.cfg.parser()
        args = parser.parse_args(self.options)
        if args.config:
            self.load_config_from_file(args.config)
        for name, value in vars(args).items():
            if value is not None and name != "args":
                self.cfg.set(name.lower(), value)
        self.cfg.set("preload_app", True)

    def load(self) -> Any:
        return self.application


def serve(app: Any, options: Sequence[str]) -> int:
    """Run gunicorn over `app` with gunicorn command-line `options` (no app argument) until it
    stops."""
    PreforkApplication(app, options).run()
    return 0
