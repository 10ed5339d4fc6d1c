"""Every path that confirms a received leg asks the grant's reporting rule (decision 0366).

The rule lives in the services (``funds.services.reporting_require``, asked by every service
that can leave a received leg confirmed). This test finds, by reading the source, every
function outside the services that names one of those services — pages, API handlers, the
ledger import, the command line, helpers — and every place that writes a leg's state without
them; each caller must be in ``PATHS`` below, where a probe confirms through it without the
note the grant asks for and sees it refused with nothing written. A new caller fails here
until it has its probe: it cannot skip the rule unnoticed.

Not a caller: a sync bundle applies another instance's rows as they are (it confirms nothing;
the rule was asked where the leg was confirmed), and the demo writes synthetic rows with
their notes and partner steps filled in (``demo/tests/test_ledger.py``).
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

import corridor
from corridor.accounts.models import OrgRole
from corridor.exchange.ledger_import import ledger_import
from corridor.funds.models import LegState, ReportingRule, Transfer
from corridor.testing import factories as f
from corridor.testing.signin import signed_in_client

ROOT = Path(corridor.__file__).resolve().parent
#: The services that can leave a received leg confirmed (funds/services/ledger.py).
CONFIRMING = frozenset(
    {"transfer_record", "transfer_update", "transfer_receive", "transfer_confirm",
     "transfer_receipt"}
)  # fmt: skip
#: Where a leg's state may be written by hand, and why the rule does not apply there.
STATE_WRITERS = {
    "funds/services/ledger.py": "the services themselves, which ask the rule",
    "demo/ledger.py": "synthetic demo rows, notes and partner steps filled in",
    "demo/money.py": "synthetic demo transfers of no grant: no rule",
    "testing/factories.py": "test data factories",
}
#: Callers that are no path a person confirms through.
NOT_A_PATH = {
    "corridor.testing.ledger:walk": "the test walk, written through the services with photos",
}
D = Decimal


def _skipped(relative: Path) -> bool:
    parts = relative.parts
    return "tests" in parts or "migrations" in parts or parts[:2] == ("funds", "services")


def _module(relative: Path) -> str:
    return "corridor." + ".".join(relative.with_suffix("").parts)


def _names(node: ast.AST) -> set[str]:
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id in CONFIRMING:
            found.add(child.id)
        elif isinstance(child, ast.Attribute) and child.attr in CONFIRMING:
            found.add(child.attr)
    return found


def discovered_callers(root: Path = ROOT) -> set[str]:
    """``module:function`` of every top-level function (or the module itself) outside the
    services and tests that names a confirming service, called or passed on."""
    callers = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if _skipped(relative):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not _names(node):
                continue
            defines = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            callers.add(f"{_module(relative)}:{node.name if defines else '<module>'}")
    return callers


#: Calls that write the keyword arguments they are given to a row.
WRITING_CALLS = frozenset({"Transfer", "update", "create", "get_or_create", "update_or_create",
                           "audited_update", "bulk_update"})  # fmt: skip


def _writes_state(node: ast.AST, relative: Path) -> bool:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in WRITING_CALLS and any(k.arg == "received_state" for k in node.keywords)
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "received_state":
                return True
            # A factory's field (testing/factories.py) is a class attribute of that name.
            if isinstance(target, ast.Name) and target.id == "received_state":
                return relative.parts[0] == "testing"
    return False


def discovered_state_writers(root: Path = ROOT) -> set[str]:
    """Files outside the tests that set ``received_state`` by hand: as a keyword argument of
    a call that writes a row (``Transfer(received_state=...)``, ``.update(...)``) or as an
    attribute (``t.received_state = ...``)."""
    writers = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(_writes_state(node, relative) for node in ast.walk(tree)):
            writers.add(relative.as_posix())
    return writers


# --- The probes: confirm through each path without the note the grant asks for ------------


class World:
    def __init__(self) -> None:
        self.donor = f.OrganisationFactory(name="Probe Donor")
        self.partner = f.OrganisationFactory(name="Probe Partner")
        self.receiver = f.UserFactory(username="probe-receiver")
        f.MembershipFactory(user=self.receiver, organisation=self.partner, role=OrgRole.EDITOR)
        self.grant = f.GrantFactory(donor=self.donor, recipient=self.partner, title="Probe grant",
                                    reporting=ReportingRule.NOTE)  # fmt: skip
        self.claim = f.TransferFactory(
            from_organisation=self.donor, to_organisation=self.partner, grant=self.grant,
            amount=D(500), currency="USD", sent_on=dt.date(2024, 5, 1), received_amount=D(500),
            received_state=LegState.CLAIMED, received_on=dt.date(2024, 5, 2),
        )  # fmt: skip
        self.client = signed_in_client(self.receiver)

    def new_transfer_values(self) -> dict[str, str]:
        return {"from_organisation": str(self.donor.pk), "to_organisation": str(self.partner.pk),
                "grant": str(self.grant.pk), "amount": "777", "currency": "USD",
                "sent_on": "2024-05-01", "channel": "bank", "received_amount": "777",
                "received_currency": "USD", "received_on": "2024-05-02"}  # fmt: skip


def _status(answer: Any, expected: int = 400) -> None:
    assert answer.status_code == expected, answer.content[:2000]


def _api_create(w: World, tmp: Path) -> None:
    answer = w.client.post("/api/funds/transfers/", w.new_transfer_values(),
                           content_type="application/json")  # fmt: skip
    # The API records a transfer of no grant (its schema has no grant): no rule to ask then.
    _status(answer, 201)
    assert answer.json()["grant"] is None
    Transfer.objects.filter(pk=answer.json()["id"]).delete()


def _api_change(w: World, tmp: Path) -> None:
    _status(w.client.patch(f"/api/funds/transfers/{w.claim.pk}/", {"received_amount": "490"},
                           content_type="application/json"))  # fmt: skip


def _api_confirm(w: World, tmp: Path) -> None:
    _status(w.client.post(f"/api/funds/transfers/{w.claim.pk}/confirm", {"leg": "received"},
                          content_type="application/json"))  # fmt: skip


def _api_receipt(w: World, tmp: Path) -> None:
    _status(w.client.post(f"/api/funds/transfers/{w.claim.pk}/receipt", {}))


def _page_new(w: World, tmp: Path) -> None:
    _status(w.client.post("/money/transfers/new/", w.new_transfer_values()))


def _page_edit(w: World, tmp: Path) -> None:
    values = {**w.new_transfer_values(), "amount": "500", "received_amount": "490"}
    _status(w.client.post(f"/money/transfers/{w.claim.pk}/edit/", values))


def _page_confirm(w: World, tmp: Path) -> None:
    body = {"received_amount": "500", "received_currency": "USD", "received_on": "2024-05-02"}
    _status(w.client.post(f"/money/transfers/{w.claim.pk}/confirm/", body))


def _import(w: World, tmp: Path) -> None:
    path = tmp / "transfers.csv"
    path.write_text(
        "from,to,amount,currency,sent_on,channel,received_amount,received_currency,received_on,"
        "grant\r\nProbe Donor,Probe Partner,777,USD,2024-05-01,bank,777,USD,2024-05-02,"
        "Probe grant\r\n",
        encoding="utf-8",
    )
    result = ledger_import(by=w.receiver, path=path)
    assert result.created == 0
    assert any("asks for a note" in e for e in result.errors), result.errors


#: Each path a person confirms what arrived through, and its probe.
PATHS: dict[str, Callable[[World, Path], None]] = {
    "corridor.funds.api:transfer_create": _api_create,
    "corridor.funds.api:transfer_change": _api_change,
    "corridor.funds.api:transfer_confirm": _api_confirm,
    "corridor.funds.api:transfer_receipt": _api_receipt,
    "corridor.web.views.funds:transfer_new": _page_new,
    "corridor.web.views.funds:transfer_edit": _page_edit,
    "corridor.web.views.funds:transfer_confirm_page": _page_confirm,
    "corridor.exchange.kinds.ledger_run:_write": _import,
}


def test_every_caller_of_a_confirming_service_has_its_probe():
    found = discovered_callers()
    unknown = sorted(found - set(PATHS) - set(NOT_A_PATH))
    assert not unknown, (
        f"{unknown} call a service that confirms a received leg: add a probe to PATHS in "
        "funds/tests/test_confirm_paths.py that confirms through it without what the grant's "
        "reporting rule asks and sees it refused (decision 0366)"
    )
    stale = sorted((set(PATHS) | set(NOT_A_PATH)) - found)
    assert not stale, f"no such caller any more, remove it from PATHS: {stale}"


def test_no_leg_state_is_written_beside_the_services():
    assert discovered_state_writers() == set(STATE_WRITERS)


def test_the_discovery_finds_a_new_caller_and_a_new_state_writer(tmp_path):
    (tmp_path / "shortcut.py").write_text(
        "from corridor.funds import services\n\n\n"
        "def quick(request, t):\n"
        "    return services.transfer_confirm(by=request.user, transfer=t, leg='received')\n\n\n"
        "def sneaky(t):\n"
        "    t.received_state = 'confirmed'\n"
        "    t.save()\n",
        encoding="utf-8",
    )
    assert discovered_callers(tmp_path) == {"corridor.shortcut:quick"}
    assert discovered_state_writers(tmp_path) == {"shortcut.py"}


@pytest.mark.django_db
@pytest.mark.parametrize("caller", sorted(PATHS))
def test_each_path_refuses_a_receipt_without_the_note(caller, tmp_path):
    w = World()
    before = set(Transfer.all_objects.values_list("pk", flat=True))
    refused = None
    try:
        PATHS[caller](w, tmp_path)
    except ValidationError as exc:  # a service answering a face that lets it through
        refused = exc
    if refused is not None:
        assert "received_note" in refused.message_dict
    assert not Transfer.all_objects.filter(
        grant=w.grant, received_state=LegState.CONFIRMED
    ).exists()
    claim = Transfer.objects.get(pk=w.claim.pk)
    assert (claim.received_state, claim.received_amount) == (LegState.CLAIMED, D(500))
    assert set(Transfer.all_objects.values_list("pk", flat=True)) == before
