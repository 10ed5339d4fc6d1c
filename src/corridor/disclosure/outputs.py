"""The register of outputs: everything Corridor lets leave an organisation, and how it is gated.

Each output (a download route, an export service, a public or aggregate API answer) is marked
with one of two decorators:

- ``shared_output(name, what=...)``: meant for people outside the organisation. The wrapped
  function must build its content through the disclosure gate (``publish_table``,
  ``public_record``, ``public_organisations``); a call that returns without having passed
  through it raises DisclosureError instead of answering, so a shared output that skips the gate
  fails loudly, in tests and in use.
- ``internal_output(name, role=..., what=...)``: for people with a named role only (the policy
  action the output checks); the output says in itself that it is internal.
- ``reference_output(name, what=...)``: holds no record of anyone (the gazetteer, a blank field
  form); needs no gate. Say in ``what`` why nothing in it comes from records.

A fitness test discovers every route, command and export service and fails for one that carries
no mark and is not listed as "not an output" with a reason
(corridor/disclosure/tests/test_outputs.py). A ``corridor`` command names the outputs it writes
in its module's ``OUTPUTS`` tuple (command modules import Django late, so they cannot carry a
decorator). docs/security/disclosure.md lists the register; a test keeps it complete.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from corridor.disclosure.gate import gate_passed, tracking
from corridor.disclosure.tables import DisclosureError

SHARED = "shared"
INTERNAL = "internal"
REFERENCE = "reference"

#: The one mark shared outputs show in place of a suppressed figure (never 0, never a blank),
#: explained beside it by ``suppressed_legend()``.
SUPPRESSED = "•"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Output:
    """One registered output. ``role`` is the policy action an internal output requires."""

    name: str
    audience: str
    what: str
    role: str | None = None


#: name -> Output, filled as the modules that define outputs are imported.
REGISTER: dict[str, Output] = {}

_MARK = "__corridor_output__"


def _register(output: Output) -> None:
    known = REGISTER.get(output.name)
    if known is not None and known != output:
        raise DisclosureError(f"output {output.name!r} is registered twice, differently")
    REGISTER[output.name] = output


def shared_output(name: str, *, what: str) -> Callable[[F], F]:
    """Mark a function that builds an output for people outside the organisation.

    The function must pass through the disclosure gate while it runs, or it raises
    DisclosureError. Works on plain functions and views (not generators: build, then return).
    """
    output = Output(name=name, audience=SHARED, what=what)
    _register(output)

    def mark(func: F) -> F:
        @functools.wraps(func)
        def gated(*args: Any, **kwargs: Any) -> Any:
            with tracking() as steps:
                result = func(*args, **kwargs)
            if not steps:
                raise DisclosureError(
                    f"the shared output {name!r} did not pass through the disclosure gate"
                )
            # A shared output built inside another (a route calling a marked service) counts
            # as the outer one's passage through the gate.
            gate_passed(f"shared_output:{name}")
            return result

        # Frameworks that read the signature (django-ninja) evaluate string annotations in the
        # wrapper's module; give them the wrapped function's, evaluated where it was written.
        with contextlib.suppress(NameError):
            gated.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
        setattr(gated, _MARK, output)
        return gated  # type: ignore[return-value]

    return mark


def internal_output(name: str, *, role: str, what: str) -> Callable[[F], F]:
    """Mark a function that builds an output only for people holding ``role`` (a policy action).

    The function itself must check the role (``policy.require``); this mark records the
    decision so the register and its fitness test know the output is internal on purpose.
    """
    output = Output(name=name, audience=INTERNAL, what=what, role=role)
    _register(output)

    def mark(func: F) -> F:
        setattr(func, _MARK, output)
        return func

    return mark


def reference_output(name: str, *, what: str) -> Callable[[F], F]:
    """Mark a function whose output holds no records at all (reference data, blank forms)."""
    output = Output(name=name, audience=REFERENCE, what=what)
    _register(output)

    def mark(func: F) -> F:
        setattr(func, _MARK, output)
        return func

    return mark


def suppressed_legend(k: int | None = None) -> str:
    """The line that explains the suppressed mark, for a page, a file's last row or an answer."""
    if k is None:
        from django.conf import settings

        k = settings.DISCLOSURE_K
    return (
        f"{SUPPRESSED} = hidden: fewer than {k}, or hidden so that another hidden figure "
        "cannot be worked out"
    )


def shown(value: Any) -> Any:
    """A published figure as a file shows it: the value, or the suppressed mark for None."""
    return SUPPRESSED if value is None else value


def output_of(func: Any) -> Output | None:
    """The mark on a function (looking through decorators that keep ``__wrapped__``), or None."""
    seen = 0
    while func is not None and seen < 20:
        found = getattr(func, _MARK, None)
        if isinstance(found, Output):
            return found
        func = getattr(func, "__wrapped__", None)
        seen += 1
    return None
