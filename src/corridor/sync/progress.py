"""How far an export or import has got, for the CLI's progress bars (docs/sync.md).

The services report stages and counts; the CLI draws them (rich, on stderr) or not. A service
given no progress reports to ``SILENT``.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, total: int, description: str) -> None: ...
    def advance(self, amount: int) -> None: ...


class _Silent:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


SILENT: Progress = _Silent()
