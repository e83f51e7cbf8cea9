"""`planmap serve`: the development server, or gunicorn with --workers.

The development server (Werkzeug, threaded, debug always off) suits one planner on a laptop;
`--workers N` hands the same app factory to gunicorn for an intranet server, with threaded
workers (gthread) so a slow client holds one thread, not a whole worker, and timeouts. Settings
come from PLANMAP_CONFIG and PLANMAP_* variables (docs/web.md).

Everything that can be checked before serving is: the address can be bound, the settings and
the data are valid (one line, exit 2). "serving" is printed only after that.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys

from geo.errors import BadRequest, DataError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web service", description="Run the web service.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=None,
                   help="run under gunicorn with N worker processes (gthread)")
    p.add_argument("--threads", type=int, default=8,
                   help="with --workers: threads per worker (default 8); a slow client holds "
                   "one thread")
    p.add_argument("--timeout", type=int, default=60,
                   help="with --workers: seconds a silent worker lives before gunicorn "
                   "replaces it (default 60)")
    p.set_defaults(handler=run)


def check_bind(host: str, port: int) -> None:
    """Bind the address once, now, so a bad host or a busy port is one line before "serving"
    (Werkzeug and gunicorn would print a traceback or exit 1 after their banner)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BadRequest(f"--host {host}: not an address or host name ({exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BadRequest(f"--port {port}: already in use on {host}") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise BadRequest(f"--host {host}: not an address of this machine") from None
            if exc.errno == errno.EACCES:
                raise BadRequest(f"--port {port}: needs privileges on {host}") from None
            raise BadRequest(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    """gthread workers: each connection is read by a thread, so slow clients take threads,
    not workers; --timeout replaces a hung worker, --graceful-timeout bounds a restart."""
    return [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
            "--worker-class", "gthread", "--threads", str(args.threads),
            "--timeout", str(args.timeout), "--graceful-timeout", "20", "--keep-alive", "5",
            "--limit-request-line", "8190", "--limit-request-fields", "100",
            "--bind", f"{args.host}:{args.port}", "--access-logfile", "-",
            "--config", "python:webmap.gunicorn_conf", "webmap:create_app()"]


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise BadRequest(f"--port must be between 1 and 65535, not {args.port}")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise BadRequest(f"--workers must be between 1 and 64, not {args.workers}")
    if not 1 <= args.threads <= 256:
        raise BadRequest(f"--threads must be between 1 and 256, not {args.threads}")
    if not 1 <= args.timeout <= 3600:
        raise BadRequest(f"--timeout must be between 1 and 3600 seconds, not {args.timeout}")
    check_bind(args.host, args.port)
    from webmap import create_app
    from webmap.sources import get_store

    try:
        app = create_app()  # a bad setting or bad data: one line, and no server
    except DataError as exc:
        raise BadRequest(f"not serving: {exc.message}") from None
    problem = get_store(app).health(wait=True)  # every data file, also those read on first use
    if problem is not None:
        raise BadRequest(f"not serving: {problem}")
    if args.workers:
        # figures in low-priority child processes, so they never hold a worker's GIL
        os.environ.setdefault("PLANMAP_RENDER_IN", "process")
        os.execv(sys.executable, gunicorn_argv(args))
    # SIGTERM (systemd, docker stop) ends the process as Ctrl-C does, so exit handlers run and
    # the download cache folder is removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(f"planmap: serving http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False, threaded=True, use_reloader=False)
    return 0
