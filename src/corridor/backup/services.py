"""Writing a backup of an instance and restoring it into a fresh one.

What goes in: every table (sessions excepted) as rows of plain values, protected fields
decrypted, plus the instance folder's own files (not the database files, not the keys, not
the secret key). The whole is sealed under a passphrase (``archive``), so the field keys are
not needed to restore; the restored instance encrypts protected fields under its own keys.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from corridor import __version__, config
from corridor.audit.anchor import anchor_write
from corridor.audit.models import AuditEntry
from corridor.audit.services import Action, audit_record
from corridor.backup import archive, tables
from corridor.core.crypto import keyring
from corridor.core.crypto.keyring import KEYS_DIR, unlock
from corridor.core.instance import SECRET_KEY_FILE, SQLITE_FILE

ROWS_PER_RECORD = 500
BYTES_PER_RECORD = 4 << 20
# Instance files that are not data: regenerated, per machine, or secrets a backup must not carry.
SKIPPED_FILES = {
    SQLITE_FILE,
    f"{SQLITE_FILE}-wal",
    f"{SQLITE_FILE}-shm",
    f"{SQLITE_FILE}-journal",
    SECRET_KEY_FILE,
    "audit-anchor.json",
}
SKIPPED_DIRS = {KEYS_DIR, "static"}
# Rows created by `migrate` itself; a restore replaces them with the backup's.
MIGRATE_CREATED = {"contenttypes.contenttype", "auth.permission"}

Progress = Callable[[str, int], None] | None


@dataclass
class BackupSummary:
    path: Path
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t["count"] for t in self.tables.values())


def instance_files(home: Path, exclude: set[Path]) -> list[Path]:
    found = []
    for path in sorted(home.rglob("*")):
        relative = path.relative_to(home)
        if (
            not path.is_file()
            or path.is_symlink()
            or relative.parts[0] in SKIPPED_DIRS
            or (len(relative.parts) == 1 and relative.name in SKIPPED_FILES)
            or relative.name.startswith(".")
            or path.resolve() in exclude
        ):
            continue
        found.append(path)
    return found


def _write_record(out: archive.SealedWriter, record: dict) -> None:
    out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")


def applied_migrations() -> list[list[str]]:
    return sorted([a, n] for a, n in MigrationRecorder(connection).applied_migrations())


def backup_write(path: Path, *, passphrase: str, by: Any = None, progress: Progress = None):
    """Write an encrypted backup of this instance to ``path`` (a new file)."""
    path = Path(path)
    home = Path(settings.HOME)
    with transaction.atomic():
        audit_record(by=by, action=Action.EXPORT, object_type="backup", changes={"file": path.name})
    summary = BackupSummary(path=path)
    tmp = path.with_name(f".{path.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            out = archive.SealedWriter(
                handle, passphrase, note={"corridor": __version__}, bound_key=_binding_key()
            )
            # One read transaction: every table is seen at the same moment (on PostgreSQL
            # REPEATABLE READ; SQLite's write lock keeps writers out meanwhile).
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                if outermost and connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                _write_record(
                    out,
                    {
                        "kind": "meta",
                        "corridor": __version__,
                        "created": dt.datetime.now(dt.UTC).isoformat(),
                        "engine": connection.vendor,
                        "migrations": applied_migrations(),
                        "checksums": tables.SUM,
                    },
                )
                for model in tables.backed_up_models():
                    summary.tables[model._meta.label_lower] = _write_table(out, model, progress)
            for file in instance_files(home, {path.resolve(), tmp.resolve()}):
                relative = file.relative_to(home).as_posix()
                _write_record(
                    out,
                    {
                        "kind": "file",
                        "path": relative,
                        "data": tables.encode(None, file.read_bytes()),
                    },
                )
                summary.files.append(relative)
            _write_record(out, {"kind": "end", "tables": summary.tables, "files": summary.files})
            out.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return summary


def _write_table(out: archive.SealedWriter, model, progress: Progress) -> dict[str, Any]:
    """One table: its header record, then its rows in records of at most ``ROWS_PER_RECORD``
    rows or ``BYTES_PER_RECORD`` bytes. Each row is turned into JSON once, for its record and
    its digest; nothing is kept of the rows written (the checksum is a running sum)."""
    label = model._meta.label_lower
    names = [f.attname for f in tables.fields_of(model)]
    _write_record(out, {"kind": "table", "model": label, "fields": names})
    total = tables.TableSum(tables.SUM)
    batch: list[str] = []
    size = 0
    for values in tables.rows(model):
        text = tables.row_text(values)
        total.add(values, text)
        batch.append(text)
        size += len(text)
        if len(batch) >= ROWS_PER_RECORD or size >= BYTES_PER_RECORD:
            _write_rows(out, batch)
            batch, size = [], 0
    if batch:
        _write_rows(out, batch)
    if progress:
        progress(label, total.count)
    return total.as_dict()


def _write_rows(out: archive.SealedWriter, texts: list[str]) -> None:
    """The same bytes as ``_write_record(out, {"kind": "rows", "rows": rows})``."""
    out.write(('{"kind":"rows","rows":[' + ",".join(texts) + "]}\n").encode())


# --- restore --------------------------------------------------------------------------------


class RestoreError(archive.BackupError):
    """The backup cannot go into this instance; the message says why."""


def backup_check(path: Path, *, passphrase: str) -> dict[str, Any]:
    """Read a whole backup, checking every part and the checksum of every table."""
    records = _records(path, passphrase)
    meta = next(records, None)
    if not meta or meta.get("kind") != "meta":
        raise archive.BackupError(f"{path.name}: the backup does not start with its description")
    method = _checksum_method(path, meta)
    sums: dict[str, tables.TableSum] = {}
    current = None
    for record in records:
        if record["kind"] == "table":
            current = sums.setdefault(record["model"], tables.TableSum(method))
        elif record["kind"] == "rows" and current is not None:
            for values in record["rows"]:
                current.add(values)
        elif record["kind"] == "end":
            _compare(path, record["tables"], {k: v.as_dict() for k, v in sums.items()}, method)
            # Read on to the very end: the archive checks nothing follows its last part.
            if next(records, None) is not None:
                raise archive.BackupError(f"{path.name} has records after its closing record")
            return {"meta": meta, "tables": record["tables"], "files": record["files"]}
    raise archive.BackupError(f"{path.name} ends before its closing record")


def _checksum_method(path: Path, meta: dict) -> str:
    """The backup's table checksum: named since decision 0379, the sorted digests before."""
    method = meta.get("checksums", tables.SORTED)
    if method not in tables.METHODS:
        raise RestoreError(
            f"{path.name} uses table checksums ({method!r}) this Corridor does not know; "
            f"upgrade Corridor before restoring"
        )
    return method


def _binding_key() -> bytes | None:
    """A field instance (encrypted database) binds its backups to its keyring; others don't,
    so that a hub can be restored after losing its keyring."""
    if settings.DATABASES["default"]["ENGINE"] != "corridor.core.sqlcipher":
        return None
    return keyring.active().at_rest_key("backup")


def _opening_key() -> bytes | None:
    """This instance's backup key, if its keyring file has one (opens backups bound to it)."""
    if config.value("CORRIDOR_ENCRYPTION_KEYS"):
        return None
    if not keyring.keyring_path(Path(settings.HOME)).exists():
        return None  # a fresh instance: no keyring to make just for this question
    return keyring.active().at_rest.get("backup")


def _records(path: Path, passphrase: str):
    with open(path, "rb") as handle:
        yield from archive.lines(
            archive.open_sealed(handle, passphrase, path.name, bound_key=_opening_key)
        )


def _compare(path: Path, expected: dict, found: dict, method: str) -> None:
    for label, want in expected.items():
        got = found.get(label, {"count": 0, "checksum": tables.TableSum(method).checksum})
        if got != want:
            raise archive.BackupError(
                f"{path.name}: table {label} has {got['count']} rows with checksum "
                f"{got['checksum'][:12]}, the backup recorded {want['count']} with "
                f"{want['checksum'][:12]}"
            )


def _refuse_unless_fresh() -> None:
    for model in tables.backed_up_models():
        if model._meta.label_lower in MIGRATE_CREATED:
            continue
        if model._base_manager.exists():
            raise RestoreError(
                f"this instance already holds data ({model._meta.label_lower}): restore into a "
                f"new CORRIDOR_HOME and an empty database, without running `corridor init` first"
            )


def _check_migrations(path: Path, meta: dict) -> None:
    known = {(a, n) for a, n in applied_migrations()}
    newer = [f"{a}.{n}" for a, n in meta.get("migrations", []) if (a, n) not in known]
    if newer:
        raise RestoreError(
            f"{path.name} comes from a newer Corridor ({meta.get('corridor')}): this one does "
            f"not know {', '.join(newer[:3])}; upgrade Corridor before restoring"
        )


def backup_restore(path: Path, *, passphrase: str, progress: Progress = None) -> dict[str, Any]:
    """Bring a backup into this fresh instance; all or nothing."""
    path = Path(path)
    # Read it all once first: a wrong passphrase or damage stops us before any change.
    checked = backup_check(path, passphrase=passphrase)
    call_command("migrate", interactive=False, verbosity=0)
    unlock()
    _check_migrations(path, checked["meta"])
    _refuse_unless_fresh()
    home = Path(settings.HOME)
    for relative in checked["files"]:
        target = (home / relative).resolve()
        if home.resolve() not in target.parents or target.exists():
            raise RestoreError(f"{path.name}: file {relative} would overwrite or leave the folder")
    method = _checksum_method(path, checked["meta"])
    with transaction.atomic():
        for label in MIGRATE_CREATED:
            _model(label)._base_manager.all().delete()
        model: Any = None  # set by each table's header record, before its rows
        fields: Any = None
        for record in _records(path, passphrase):
            kind = record["kind"]
            if kind == "table":
                model, fields = _model(record["model"]), _fields(path, record)
            elif kind == "rows":
                _insert(model, fields, record["rows"])
                if progress:
                    progress(model._meta.label_lower, len(record["rows"]))
            elif kind == "file":
                target = home / record["path"]
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(tables.decode(None, record["data"]))
        _reset_sequences()
        found = tables.table_checksums(
            [_model(label) for label in checked["tables"]], method=method
        )
        _compare(path, checked["tables"], found, method)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    last = AuditEntry.objects.order_by("-seq").first()
    if last:
        anchor_write(last.seq, last.hash, replace=True)
    with transaction.atomic():
        audit_record(
            by=None,
            action=Action.IMPORT,
            object_type="backup",
            changes={"file": path.name, "created": checked["meta"].get("created", "")},
        )
    return checked


def _model(label: str):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        raise RestoreError(
            f"the backup holds table {label}, which this Corridor does not have"
        ) from None


def _fields(path: Path, record: dict) -> list:
    model = _model(record["model"])
    by_attname = {f.attname: f for f in tables.fields_of(model)}
    unknown = [name for name in record["fields"] if name not in by_attname]
    if unknown:
        raise RestoreError(f"{path.name}: {record['model']} has no field {unknown[0]} here")
    return [by_attname[name] for name in record["fields"]]


def _insert(model, fields: list, rows: list[list[Any]]) -> None:
    names = {f.attname for f in fields}
    missing = [f for f in tables.fields_of(model) if f.attname not in names]
    objs = []
    for values in rows:
        obj = model(**{f.attname: tables.decode(f, v) for f, v in zip(fields, values, strict=True)})
        for f in missing:
            setattr(obj, f.attname, f.get_default())
        objs.append(obj)
    every = tables.fields_of(model)
    size = connection.ops.bulk_batch_size(every, objs) or len(objs)
    for start in range(0, len(objs), size):
        # raw=True keeps stored times: auto_now must not stamp restored rows with today.
        model._base_manager._insert(objs[start : start + size], fields=every, raw=True)


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), tables.backed_up_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
