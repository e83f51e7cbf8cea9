"""`planmap serve` as a real process: the dev server and gunicorn answer, bad options exit 2."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
PLANMAP = str(Path(sys.executable).with_name("planmap"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 30) -> bytes:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.mark.parametrize("extra", [[], ["--workers", "1"]], ids=["werkzeug", "gunicorn"])
def test_serve_answers(extra):
    port = free_port()
    proc = subprocess.Popen([PLANMAP, "serve", "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        assert b'"status":"ok"' in wait_for(f"http://127.0.0.1:{port}/healthz", proc).replace(
            b" ", b"")
        page = wait_for(f"http://127.0.0.1:{port}/", proc).decode()
        assert "/static/vendor/leaflet/dist/leaflet.js" in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "abc"], ["--workers", "0"]])
def test_serve_bad_options(args):
    out = subprocess.run([PLANMAP, "serve", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "error" in out.stderr


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True, check=False).stdout
    return [int(x) for x in out.split()]


def test_workers_fork_from_the_built_app_and_start_their_own_render_children():
    """gunicorn runs in the command's process (webmap.prefork): its children are the workers
    only; each worker starts its render children after the fork (RENDER_IN=process) and draws
    figures through them."""
    port = free_port()
    proc = subprocess.Popen([PLANMAP, "serve", "--port", str(port), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", proc, timeout=120)
        workers = _children(proc.pid)
        assert len(workers) == 1, workers  # no render children (nor forkserver) in the master
        png = wait_for(f"http://127.0.0.1:{port}/figures/layers/parks.png?size=400x300&dpi=60",
                       proc, timeout=180)
        assert png.startswith(b"\x89PNG")
        assert _children(workers[0]), "the worker started no render children"
        assert _children(proc.pid) == workers
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
