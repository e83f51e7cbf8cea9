"""gunicorn settings of `planmap serve --workers` (`-c python:webmap.gunicorn_conf`).

`planmap serve --workers` preloads the app (webmap.prefork): `post_fork` hands each new worker
to `prefork.after_fork`, which starts what must run in the worker itself (render children) and
drops the database connections the master opened. Run with an app import string instead (no
preload), a worker builds its own app after this hook and there is nothing to hand over.

A gunicorn worker that is stopped (SIGTERM, a reload) may end without the interpreter's exit
handlers, so the hook below removes what the worker made: its download cache folder and its
render processes. A worker killed outright leaves them to the next server, which removes the
cache folders of ended processes (webmap.downloads).
"""

from __future__ import annotations

from typing import Any


def post_fork(server: Any, worker: Any) -> None:
    app = getattr(worker.app, "callable", None)  # the preloaded app, None without preload
    if app is not None:
        from webmap import prefork

        prefork.after_fork(app)


def worker_exit(server: Any, worker: Any) -> None:
    from webmap import downloads, figures

    downloads.remove_all()
    figures.shutdown_renderers()
