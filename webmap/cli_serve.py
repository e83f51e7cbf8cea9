"""`planmap serve`: the development server, or gunicorn with --workers.

The development server (Werkzeug, threaded, debug always off) suits one planner on a laptop;
`--workers N` hands the same app factory to gunicorn for an intranet server. Settings come from
PLANMAP_CONFIG and PLANMAP_* variables (docs/web.md), so the command needs no more options.
"""

from __future__ import annotations

import argparse
import sys

from geo.errors import BadRequest


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web service", description="Run the web service.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=None, help="run under gunicorn with N workers")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise BadRequest(f"--port must be between 1 and 65535, not {args.port}")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise BadRequest(f"--workers must be between 1 and 64, not {args.workers}")
    from webmap import create_app

    app = create_app()  # fail here, with one line, on a bad setting or bad data
    if args.workers:
        from webmap import prefork

        # the workers fork from this process with the app built above (no second build)
        return prefork.serve(app, ["--workers", str(args.workers),
                                   "--bind", f"{args.host}:{args.port}", "--access-logfile", "-"])
    print(f"planmap: serving http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False, threaded=True, use_reloader=False)
    return 0
