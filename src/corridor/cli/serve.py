"""`corridor serve`: the production WSGI server (waitress), bound to this machine by default.

It also keeps the instance tidy: sessions that are over and held uploads nobody imported are
deleted when it starts and every SWEEP_EVERY seconds while it runs (docs/security/sign-in.md).
"""

from __future__ import annotations

import argparse
import logging
import threading
from pathlib import Path

from corridor.cli import django_env

log = logging.getLogger("corridor.serve")
SWEEP_EVERY = 60 * 60
IDLE_CHECK_EVERY = 15  # seconds between idle-lock checks

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
    from django.conf import settings
    from waitress import serve as waitress_serve

    from corridor.core import instance
    from corridor.wsgi import application

    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a TCP port (1-65535)")
    from corridor.core.crypto.keyring import unlock

    # Unlock now, in the terminal that starts the server, not at the first request.
    unlock()
    pending = django_env.pending_migrations()
    if pending:
        raise RuntimeError(f"{len(pending)} migrations pending: run `corridor init` first")
    print(sweep(), flush=True)
    # Load every URL's view (and the API framework) now, not in the first person's request.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — the property imports the URL modules
    stop = threading.Event()
    threading.Thread(target=_sweep_every, args=(stop,), name="corridor-sweep", daemon=True).start()
    threading.Thread(
        target=_lock_when_idle, args=(stop,), name="corridor-idle", daemon=True
    ).start()
    # While it is held, `corridor encrypt` refuses to swap the database under the server.
    served = instance.server_lock(Path(settings.HOME))
    print(f"Corridor is at http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    try:
        waitress_serve(application, host=args.host, port=args.port, threads=args.threads, ident="")
    finally:
        stop.set()
        served.close()
    return 0


def sweep() -> str:
    """Delete sessions that are over and held uploads past their time; say how many went."""
    from corridor.accounts.sessions import sessions_purge
    from corridor.web.uploads import holds_sweep

    sessions = sessions_purge()
    holds = holds_sweep()
    return f"tidied: {sessions} sessions that were over, {holds} held uploads past their time"


def _sweep_every(stop: threading.Event) -> None:
    from django.db import connection

    while not stop.wait(SWEEP_EVERY):
        try:
            log.info(sweep())
        except Exception:  # a failed sweep must not stop the server; the next one tries again
            log.exception("sweeping sessions and held uploads failed")
        finally:
            connection.close()


def _lock_when_idle(stop: threading.Event) -> None:
    """Drop the keys after CORRIDOR_IDLE_LOCK_MINUTES without a request, even if none comes."""
    from django.conf import settings

    from corridor.core.crypto import keyring
    from corridor.keys import atrest

    clock = atrest.idle_clock(settings.IDLE_LOCK_MINUTES)
    while not stop.wait(IDLE_CHECK_EVERY):
        if keyring.held_sealed() and clock.expired():
            atrest.process_lock(f"idle for {clock.minutes} minutes")


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    return serve(args)
