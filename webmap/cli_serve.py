"""`planmap serve`: the development server, or gunicorn with --workers."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web service", description="Run the web service.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=None, help="run under gunicorn with N workers")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from webmap import create_app

    if args.workers:
        import subprocess
        import sys

        return subprocess.call(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers),
             "-b", f"{args.host}:{args.port}", "webmap:create_app()"]
        )
    create_app().run(host=args.host, port=args.port, debug=False)
    return 0
