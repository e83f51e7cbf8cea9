"""gunicorn serving an app this process has already built: the workers fork with it.

`planmap serve --workers N` builds the app once anyway (a bad setting or bad data is one line and
no server). Handing gunicorn the import string `webmap:create_app()` made every worker import
folium, pandas and pypinyin and build the store again, so the first answer came after two builds
(one in the command, one per worker, the workers competing for the cores). Here gunicorn runs in
this process with `preload_app`: the built app is the master's, each worker is a fork of it, ready
at once, and the workers share the store's memory pages until they write to them.

Anything that runs threads or child processes must start them in the worker, on first use or in
`after_fork` (called by webmap.gunicorn_conf's `post_fork`): a fork copies no threads. So the
master builds the app with figures drawn in threads, and each worker then switches to the mode
asked for (`render_in`, "process" by default) and starts its own render children; and a database
store's connection pool, which the master used while building, is dropped (not closed) in each
worker, so no two processes share a connection.

The gunicorn settings are the command's (webmap.cli_serve.gunicorn_options) and the config file
they name (webmap.gunicorn_conf): one configuration whichever way gunicorn is started.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask
from gunicorn.app.base import Application

from layers.db.store import DatabaseStore
from webmap import figures
from webmap.sources import STORE_KEY

RENDER_KEY = "planmap.prefork_render_in"


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


def serve(app: Flask, options: Sequence[str], render_in: str = "thread") -> int:
    """Run gunicorn over `app` with gunicorn command-line `options` (no app argument) until it
    stops; each worker draws figures as `render_in` says (RENDER_IN)."""
    app.extensions[RENDER_KEY] = render_in
    PreforkApplication(app, options).run()
    return 0


def after_fork(app: Flask) -> None:
    """In a worker just forked from the master that built `app`."""
    store = app.extensions.get(STORE_KEY)
    if isinstance(store, DatabaseStore):
        store.db.engine.dispose(close=False)  # the master's connections stay the master's
    render_in = app.extensions.get(RENDER_KEY)
    if render_in is not None and render_in != app.config["RENDER_IN"]:
        app.config["RENDER_IN"] = render_in
        figures.start_renderer(app)
