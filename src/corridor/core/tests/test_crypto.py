"""Encrypted fields, keys and rotation: what an administrator and an attacker would try."""

import json
import secrets

import pytest
from django.db import connection
from django.db.utils import ProgrammingError

from corridor.audit.models import AuditEntry
from corridor.audit.protected import keyed_hash
from corridor.audit.services import audited_create, audited_update
from corridor.core.crypto import keyring
from corridor.core.crypto.fields import DecryptionError, key_id_of
from corridor.core.errors import CorridorError
from corridor.keys import services as rotation
from corridor.keys.services import key_retire, key_usage, keys_rotate
from corridor.orgs.models import Organisation, Visibility
from corridor.situation.models import Incident
from corridor.testing.factories import EvidenceFactory, IncidentFactory, township

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_keys(tmp_path, settings, monkeypatch):
    """A keyring of this test's own, in a fresh instance folder."""
    monkeypatch.delenv("CORRIDOR_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("CORRIDOR_KEY_PASSPHRASE", raising=False)
    settings.HOME = tmp_path
    keyring.forget()
    yield tmp_path
    keyring.forget()


def stored(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return cursor.fetchone()[0]


def overwrite(model, pk, column, value):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s",
            [value, model._meta.pk.get_db_prep_value(pk, connection)],
        )


def test_values_round_trip_and_are_ciphertext_in_the_table(own_keys):
    incident = IncidentFactory(latitude=16.8409, longitude=96.1735, witnesses="Daw Hla, 09-555")
    again = Incident.objects.get(pk=incident.pk)
    assert (again.latitude, again.longitude, again.witnesses) == (
        16.8409,
        96.1735,
        "Daw Hla, 09-555",
    )
    raw = stored(Incident, incident.pk, "witnesses")
    assert raw.startswith(f"c1:{keyring.active().current}:")
    assert "Hla" not in raw
    assert "16.84" not in stored(Incident, incident.pk, "latitude")
    # The same value twice gives two different ciphertexts (random nonces).
    twin = IncidentFactory(witnesses="Daw Hla, 09-555")
    assert stored(Incident, twin.pk, "witnesses") != raw


def test_empty_and_missing_values_stay_searchable_by_isnull(own_keys):
    IncidentFactory()
    IncidentFactory(latitude=20.0, longitude=96.0)
    assert Incident.objects.filter(latitude__isnull=True).count() == 1
    assert Incident.objects.get(latitude__isnull=False).witnesses == ""
    with pytest.raises(Exception, match="Unsupported lookup"):
        Incident.objects.filter(latitude__gt=10).count()


def test_evidence_bytes_round_trip(own_keys):
    content = secrets.token_bytes(5000)
    evidence = EvidenceFactory(content=content, filename="handover Ko Tun.jpg")
    evidence.refresh_from_db()
    assert evidence.content == content
    assert evidence.filename == "handover Ko Tun.jpg"


def test_tampered_ciphertext_is_refused(own_keys):
    incident = IncidentFactory(witnesses="U Ba")
    raw = stored(Incident, incident.pk, "witnesses")
    prefix, payload = raw.rsplit(":", 1)
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    overwrite(Incident, incident.pk, "witnesses", f"{prefix}:{flipped}")
    with pytest.raises(DecryptionError, match=r"situation\.incident\.witnesses: .* altered"):
        Incident.objects.get(pk=incident.pk)


def test_ciphertext_moved_to_another_field_is_refused(own_keys):
    incident = IncidentFactory(latitude=20.1, longitude=96.2)
    overwrite(Incident, incident.pk, "longitude", stored(Incident, incident.pk, "latitude"))
    with pytest.raises(DecryptionError, match="longitude"):
        Incident.objects.get(pk=incident.pk)


def test_wrong_key_gives_a_clear_error(own_keys, monkeypatch):
    incident = IncidentFactory(witnesses="U Ba")
    key_id = keyring.active().current
    # The same key id with other key material: an instance restored with the wrong keyring.
    monkeypatch.setenv(
        "CORRIDOR_ENCRYPTION_KEYS", keyring.key_as_text(key_id, secrets.token_bytes(32))
    )
    keyring.forget()
    with pytest.raises(DecryptionError, match=f"does not decrypt with key '{key_id}'"):
        Incident.objects.get(pk=incident.pk)
    # A keyring without that key at all.
    monkeypatch.setenv(
        "CORRIDOR_ENCRYPTION_KEYS", keyring.key_as_text("other", secrets.token_bytes(32))
    )
    keyring.forget()
    with pytest.raises(CorridorError, match=f"key '{key_id}' is not in this instance's keyring"):
        Incident.objects.get(pk=incident.pk)


def test_malformed_environment_keys_are_named(own_keys, monkeypatch):
    monkeypatch.setenv("CORRIDOR_ENCRYPTION_KEYS", "k1:c2hvcnQ=")
    keyring.forget()
    with pytest.raises(keyring.KeyringError, match="entry 1 \\(k1\\) is 5 bytes"):
        keyring.active()


def test_keyring_file_is_private_and_group_readable_file_is_refused(own_keys):
    keyring.active()
    path = keyring.keyring_path(own_keys)
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    keyring.forget()
    with pytest.raises(keyring.KeyringError, match="chmod 600"):
        keyring.active()


def test_passphrase_sealed_keyring_holds_no_plain_key(own_keys, monkeypatch):
    incident = IncidentFactory(witnesses="U Ba")
    plain_keys = [keyring.b64(k) for k in keyring.active().keys.values()]
    keyring.keyring_reseal("correct horse battery staple")
    text = keyring.keyring_path(own_keys).read_text()
    assert "sealed" in json.loads(text)
    assert not any(k in text for k in plain_keys)
    keyring.forget()
    # In a test, stdin is not a terminal: no prompt, a clear instruction instead.
    with pytest.raises(keyring.KeyringError, match="CORRIDOR_KEY_PASSPHRASE"):
        Incident.objects.get(pk=incident.pk)
    monkeypatch.setenv("CORRIDOR_KEY_PASSPHRASE", "wrong horse battery staple")
    keyring.forget()
    with pytest.raises(keyring.KeyringError, match="wrong passphrase"):
        Incident.objects.get(pk=incident.pk)
    monkeypatch.setenv("CORRIDOR_KEY_PASSPHRASE", "correct horse battery staple")
    keyring.forget()
    assert Incident.objects.get(pk=incident.pk).witnesses == "U Ba"


def test_rotation_reencrypts_everything_and_then_the_old_key_can_go(own_keys):
    incidents = [
        IncidentFactory(latitude=20.0 + i / 10, longitude=96.0, witnesses=f"w{i}") for i in range(7)
    ]
    evidence = EvidenceFactory()
    old = keyring.active().current
    with pytest.raises(keyring.KeyringError, match="current key"):
        key_retire(by=None, key_id=old)
    result = keys_rotate(by=None, new_key=True)
    new = result.current
    assert new != old
    assert result.reencrypted["situation.incident.witnesses"] == 7
    assert result.reencrypted["funds.evidence.content"] == 1
    assert all(set(counts) <= {new} for counts in key_usage().values())
    assert key_id_of(stored(Incident, incidents[3].pk, "latitude")) == new
    # Resuming when nothing is left does nothing.
    assert keys_rotate(by=None, new_key=False).total == 0
    key_retire(by=None, key_id=old)
    keyring.forget()
    assert old not in keyring.active().keys
    assert sorted(i.witnesses for i in Incident.objects.all()) == [f"w{i}" for i in range(7)]
    evidence.refresh_from_db()
    assert evidence.content.startswith(b"\xff\xd8")
    events = AuditEntry.objects.filter(action="key_change").order_by("seq")
    assert [e.changes["event"] for e in events] == [
        "key added and made current",
        "values re-encrypted",
        "values re-encrypted",
        "key retired",
    ]


def test_interrupted_rotation_resumes_and_blocks_retirement(own_keys, monkeypatch):
    for i in range(5):
        IncidentFactory(witnesses=f"w{i}")
    old = keyring.active().current
    monkeypatch.setattr(rotation, "BATCH", 2)
    calls = []

    def crash(label, done):
        calls.append(done)
        if label.endswith("witnesses"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys_rotate(by=None, new_key=True, progress=crash)
    assert key_usage()["situation.incident.witnesses"][old] == 3
    with pytest.raises(keyring.KeyringError, match="3 values are still encrypted"):
        key_retire(by=None, key_id=old)
    keys_rotate(by=None, new_key=False)
    assert old not in key_usage()["situation.incident.witnesses"]
    key_retire(by=None, key_id=old)


def test_audit_entries_never_hold_protected_values_but_record_their_change(own_keys):
    org = audited_create(
        Organisation(
            name="River Network",
            acronym="RN",
            kind="local_cso",
            base_country="MM",
            visibility=Visibility.ANONYMOUS,
            contact="Signal +66 555",
        ),
        by=None,
    )
    assert org.name.startswith("Anonymous organisation")
    assert (org.protected_name, org.acronym) == ("River Network (RN)", "")
    incident = IncidentFactory(admin_unit=township())
    audited_update(incident, by=None, latitude=21.5, longitude=95.5, witnesses="Ma Su")
    entries = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    for secret in ("River Network", "Signal", "21.5", "95.5", "Ma Su"):
        assert secret not in entries
    last = AuditEntry.objects.order_by("-seq").first()
    keyed = keyed_hash("situation.incident.witnesses", "Ma Su")
    assert last.changes["witnesses"] == ["", keyed]
    assert last.changes["latitude"] == [None, keyed_hash("situation.incident.latitude", 21.5)]
    # Only a protected field changes: still an entry, with two different keyed hashes.
    audited_update(incident, by=None, witnesses="Ma Su and Ko Ko")
    assert AuditEntry.objects.order_by("-seq").first().changes == {
        "witnesses": [keyed, keyed_hash("situation.incident.witnesses", "Ma Su and Ko Ko")]
    }


def test_coordinates_are_range_checked_by_the_model(own_keys):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Latitude must be between"):
        Incident(latitude=40.0, longitude=96.0).clean()
    with pytest.raises(ValidationError, match="both latitude and longitude"):
        Incident(latitude=20.0).clean()
    Incident(latitude=20.0, longitude=96.0).clean()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_encrypted_columns_are_plain_text_on_postgresql(own_keys):
    incident = IncidentFactory(latitude=20.0, longitude=96.0)
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        # A range check in SQL is impossible: the column holds ciphertext text.
        cursor.execute(
            "SELECT id FROM situation_incident WHERE latitude > 10 AND id = %s", [incident.pk]
        )
