"""`corridor load-demo`: load the synthetic demo dataset (idempotent)."""

from __future__ import annotations

import argparse

from corridor.cli import django_env

NAME = "load-demo"
HELP = "load the synthetic demo dataset into this instance (safe to run twice)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")


def load(seed: int) -> dict[str, int]:
    from rich.progress import Progress

    from corridor.demo.services import demo_load

    with Progress() as bar:
        task = bar.add_task("Loading demo data", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"Demo: {step}", completed=done, total=total)

        return demo_load(seed=seed, progress=progress)


def run(args: argparse.Namespace) -> int:
    django_env.setup()
    if django_env.pending_migrations():
        raise RuntimeError("the database is not initialised: run `corridor init` first")
    counts = load(args.seed)
    for label, count in counts.items():
        print(f"{label}: {count}")
    return 0
