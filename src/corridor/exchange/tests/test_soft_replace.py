"""``corridor import --replace`` removes softly (issue 12 §3, decision 0282), through the CLI.

A record the file no longer holds leaves every read but stays in the table with the reason
(which file replaced it) and one ``remove`` audit entry listing it; a later file that holds it
again brings it back; a record a person removed on its page stays removed.
"""

from __future__ import annotations

import json

from corridor.accounts.models import OrgRole
from corridor.aid.models import Activity
from corridor.aid.services import activity_remove
from corridor.audit.models import AuditEntry
from corridor.core.models import RemovedVia
from corridor.exchange.tests.test_reimport import ROWS, counts, five_w, run_json
from corridor.testing.factories import MembershipFactory, UserFactory

FEWER = ROWS[:2] + ROWS[3:]  # the health education row (30 women, 11 men) is gone


def test_replace_removes_softly_with_the_file_as_reason(org, write, capsys):
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    gone = Activity.objects.get(women=30, men=11)

    done = run_json(capsys, five_w(write, "5w-update.csv", FEWER), "--replace")

    assert counts(done) == (0, 0, 1, 6)
    assert not Activity.objects.filter(pk=gone.pk).exists()
    kept = Activity.all_objects.get(pk=gone.pk)
    assert kept.removed_at is not None
    assert kept.removal_reason == "not in 5w-update.csv, which replaces what it covers"
    assert kept.removed_via == RemovedVia.REPLACE
    assert (kept.women, kept.men) == (30, 11)  # the row is kept as it was
    entry = AuditEntry.objects.filter(action="remove").latest("seq")
    assert entry.changes["removed"] == 1
    assert entry.changes["ids"] == [str(gone.pk)]
    assert entry.changes["reason"] == kept.removal_reason
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_a_file_that_holds_the_record_again_brings_it_back(org, write, capsys):
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    gone = Activity.objects.get(women=30, men=11)
    run_json(capsys, five_w(write, "5w-update.csv", FEWER), "--replace")

    again = run_json(capsys, five_w(write, "5w.csv", ROWS), "--replace")

    assert (counts(again), again["restored"]) == ((0, 0, 0, 7), 1)
    back = Activity.objects.get(pk=gone.pk)
    assert (back.removed_at, back.removal_reason, back.removed_via) == (None, "", "")
    entry = AuditEntry.objects.filter(action="restore").latest("seq")
    assert (entry.changes["restored"], entry.changes["file"]) == (1, "5w.csv")
    assert Activity.objects.count() == 7


def test_a_record_a_person_removed_stays_removed(org, write, capsys):
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    person = UserFactory()
    MembershipFactory(user=person, organisation=org, role=OrgRole.EDITOR)
    removed = activity_remove(
        by=person, activity=Activity.objects.get(women=30, men=11), reason="counted twice"
    )

    again = run_json(capsys, five_w(write, "5w.csv", ROWS))

    assert again["restored"] == 0
    assert not Activity.objects.filter(pk=removed.pk).exists()
    assert Activity.all_objects.get(pk=removed.pk).removal_reason == "counted twice"


def test_a_person_who_types_the_imports_reason_is_not_undone(org, write, capsys):
    """The reason is free text: a person may word it as an import would (decision 0354)."""
    run_json(capsys, five_w(write, "5w.csv", ROWS))
    person = UserFactory()
    MembershipFactory(user=person, organisation=org, role=OrgRole.EDITOR)
    wording = "not in 5w-update.csv, which replaces what it covers"
    removed = activity_remove(
        by=person, activity=Activity.objects.get(women=30, men=11), reason=wording
    )
    assert removed.removed_via == RemovedVia.PERSON

    again = run_json(capsys, five_w(write, "5w.csv", ROWS), "--replace")

    assert again["restored"] == 0
    assert not Activity.objects.filter(pk=removed.pk).exists()
    kept = Activity.all_objects.get(pk=removed.pk)
    assert (kept.removal_reason, kept.removed_via) == (wording, RemovedVia.PERSON)


def test_replace_through_the_real_entry_point_keeps_the_row(cli_instance, write):
    assert cli_instance.init_copied("--no-input", timeout=300).returncode in (0, 1)
    made = cli_instance.run(
        "manage",
        "shell",
        "-c",
        "from corridor.testing.factories import OrganisationFactory; "
        "OrganisationFactory(name='Chin Relief Network', acronym='CRN')",
    )
    assert made.returncode == 0, made.stderr
    first = cli_instance.run("import", five_w(write, "5w.csv", ROWS), "--json", "--quiet")
    assert first.returncode == 0, first.stderr

    done = cli_instance.run(
        "import", five_w(write, "5w-update.csv", FEWER), "--replace", "--json", "--quiet"
    )

    assert done.returncode == 0, done.stderr
    assert counts(json.loads(done.stdout)) == (0, 0, 1, 6)
    shown = cli_instance.run(
        "manage",
        "shell",
        "-c",
        "from corridor.aid.models import Activity; "
        "print(Activity.objects.count(), "
        "list(Activity.all_objects.filter(removed_at__isnull=False)"
        ".values_list('women', 'men', 'removal_reason')))",
    )
    assert shown.returncode == 0, shown.stderr
    # The last line: Django's shell may first say what it imported.
    assert shown.stdout.strip().splitlines()[-1] == (
        "6 [(30, 11, 'not in 5w-update.csv, which replaces what it covers')]"
    )
