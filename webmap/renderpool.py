"""Figures drawn in a separate, low-priority process (setting RENDER_IN = "process").

A figure is a second or more of pure-Python and Agg drawing. Drawn in the request's thread it
holds the server process's GIL for that time, and every other request of the process (/healthz,
a place page) waits for the GIL in 5 ms turns behind it. Drawn in a child process it competes
only for a CPU core, and the child runs at a lower priority (nice 10), so the kernel gives the
request threads the CPU first. The price is memory: the child holds its own copy of the store.

The child builds its store from the STORE setting (`module:function`), so it works only when
the setting is such a string; a store object handed to create_app (tests) draws in threads.
Children start from a fresh forkserver process, never by forking a server process that has
threads running.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from layers import figures as render
from layers.protocol import PlanStore

_STORE: PlanStore | None = None
NICE = 10


def _start(store_spec: str) -> None:
    """In the child: lower its priority, build its store."""
    global _STORE
    os.nice(NICE)
    from webmap.sources import resolve

    _STORE = resolve(store_spec)


def _draw(spec: render.FigureSpec) -> bytes:
    assert _STORE is not None, "render child without a store"
    return render.render(_STORE, spec).data


def _ready() -> str:
    assert _STORE is not None
    return _STORE.version


class ProcessRenderer:
    """`processes` children drawing figures for one server process."""

    def __init__(self, store_spec: str, processes: int) -> None:
        context: Any = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["layers.store", "layers.figures", "webmap.renderpool"])
        self._executor = ProcessPoolExecutor(processes, mp_context=context,
                                             initializer=_start, initargs=(store_spec,))
        # start the children now: their store takes seconds to build
        self.warm: list[Future[str]] = [self._executor.submit(_ready) for _ in range(processes)]

    def render(self, spec: render.FigureSpec, timeout: float) -> bytes:
        return self._executor.submit(_draw, spec).result(timeout=timeout)

    def shutdown(self) -> None:
        """Cancel what waits and end the children now (a server stopping does not wait for a
        figure nobody will receive). Python 3.14 has terminate_workers(); before it, the
        executor's process table is the only handle on the children."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        processes: dict[int, Any] = getattr(self._executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()
