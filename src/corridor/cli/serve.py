"""`corridor serve`: the production WSGI server (waitress), bound to this machine by default."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "serve"
HELP = "serve Corridor over HTTP with a production server (waitress)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_server_arguments(parser)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; "
        "use 0.0.0.0 only behind TLS on a trusted network)",
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")


def serve(args: argparse.Namespace) -> int:
    from waitress import serve as waitress_serve

    from corridor.wsgi import application

    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a TCP port (1-65535)")
    from corridor.core.crypto.keyring import unlock

    # Unlock now, in the terminal that starts the server, not at the first request.
    unlock()
    pending = django_env.pending_migrations()
    if pending:
        raise RuntimeError(f"{len(pending)} migrations pending: run `corridor init` first")
    print(f"Corridor is at http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    waitress_serve(application, host=args.host, port=args.port, threads=args.threads, ident="")
    return 0


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    return serve(args)
