"""The `planmap` command: one argparse tree assembled from each package's commands.

Each package registers its own subcommands (`geo.cli_plans`, `geo.cli_places`, `geo.cli_data`,
`layers.cli`, `layers.cli_render`, `webmap.cli_serve`, `webmap.cli_db`, `webmap.cli_edits`,
`webmap.cli_intake`), so
the CLI follows the same one-way dependency as the code.
A `PlanmapError` becomes one line on stderr and its exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from geo import cli_data, cli_places, cli_plans
from geo.errors import PlanmapError
from layers import cli as layers_cli
from layers import cli_render
from webmap import cli_db, cli_edits, cli_intake, cli_serve

# In `planmap --help` order. cli_intake adds to the commands of cli_plans, so it comes after it.
COMMAND_MODULES = (cli_plans, cli_places, cli_data, layers_cli, cli_render, cli_serve, cli_db,
                   cli_edits, cli_intake)


class _Parser(argparse.ArgumentParser):
    """argparse prints usage plus a message on error; we keep it to one line, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="planmap",
        description="Planning maps of Haidian: the plans, the places they name, and their maps.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.handler(args)
    except PlanmapError as exc:
        print(f"planmap: error: {exc.message}", file=sys.stderr)
        return exc.exit_status
    except BrokenPipeError:  # `planmap plans | head`
        return 0
    except KeyboardInterrupt:
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
