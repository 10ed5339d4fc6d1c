"""The ``corridor`` command: one module per subcommand, registered in COMMANDS.

Each command module has NAME, HELP, ``add_arguments(parser)`` and ``run(args) -> int``.
Errors a user can act on become one line on stderr and a non-zero exit, never a traceback
(``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from corridor import __version__
from corridor.cli import (
    audit,
    backup,
    db,
    demo,
    encrypt,
    export,
    funds,
    gaps,
    geo,
    held,
    import_,
    init,
    keys,
    load_demo,
    lock,
    manage,
    maps,
    orgs,
    panic,
    restore,
    rollups,
    screen,
    serve,
    sessions,
    signin,
    statements,
    status,
    sync,
    tokens,
    unlock,
    wipe,
)

COMMANDS: list[ModuleType] = [
    init,
    serve,
    demo,
    load_demo,
    gaps,
    geo,
    import_,
    held,
    maps,
    orgs,
    funds,
    statements,
    export,
    status,
    signin,
    sessions,
    panic,
    tokens,
    keys,
    lock,
    unlock,
    wipe,
    encrypt,
    audit,
    backup,
    restore,
    db,
    rollups,
    sync,
    screen,
    manage,
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line that says where to look, like every other error."""

    commands: dict[str, argparse.ArgumentParser]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands = {}

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> OneLineParser:
    # Subcommand parsers, nested ones included, inherit the parser class.
    parser = OneLineParser(
        prog="corridor",
        description="Corridor: coordinate cross-border humanitarian aid in Myanmar.",
    )
    parser.add_argument("--version", action="version", version=f"corridor {__version__}")
    parser.add_argument(
        "--home",
        metavar="PATH",
        help="instance folder (database, keys); default $CORRIDOR_HOME or ./corridor-data",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
        parser.commands[module.NAME] = command
    return parser


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `corridor manage ...` hands everything after it to Django untouched.
    if "manage" in argv:
        at = argv.index("manage")
        head, tail = argv[: at + 1], argv[at + 1 :]
    else:
        head, tail = argv, []
    parser = build_parser()
    args, extra = parser.parse_known_args(head)
    if extra:
        # Name the command whose flags were wrong, not the top-level program.
        parser.commands.get(args.command, parser).error(
            f"unrecognized arguments: {' '.join(extra)}"
        )
    args.manage_args = tail
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    if args.home:
        os.environ["CORRIDOR_HOME"] = args.home
    try:
        return int(args.handler(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("corridor: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"corridor {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
