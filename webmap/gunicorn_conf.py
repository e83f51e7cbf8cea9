"""gunicorn settings of `planmap serve --workers` (`-c python:webmap.gunicorn_conf`).

A gunicorn worker that is stopped (SIGTERM, a reload) may end without the interpreter's exit
handlers, so the hook below removes what the worker made: its download cache folder and its
render processes. A worker killed outright leaves them to the next server, which removes the
cache folders of ended processes (webmap.downloads).
"""

from __future__ import annotations

from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    from webmap import downloads, figures

    downloads.remove_all()
    figures.shutdown_renderers()
