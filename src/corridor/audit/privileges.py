"""PostgreSQL privileges for the application's own database role.

The server should connect as a role that can read and write data but cannot UPDATE, DELETE or
TRUNCATE audit rows, nor change the schema; migrations run as the owning role instead
(docs/security/audit.md). The append-only trigger (audit migration 0002) stops the owner too,
but an owner can drop a trigger; a role without the privilege cannot.
"""

from __future__ import annotations

from django.db import connection, transaction
from psycopg import sql

from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput

# Tables the application reads but never writes.
READ_ONLY_TABLES = ("django_migrations",)


def app_role_statements(role: str, *, database: str, schema: str = "public") -> list[sql.Composed]:
    r, s = sql.Identifier(role), sql.Identifier(schema)
    audit = sql.Identifier(schema, AuditEntry._meta.db_table)
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            s, r
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(audit, r),
    ]
    statements += [
        sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
            sql.Identifier(schema, table), r
        )
        for table in READ_ONLY_TABLES
    ]
    # Tables that later migrations create (run by the owner, who runs this) are covered too.
    statements += [
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE "
            "ON TABLES TO {}"
        ).format(s, r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(s, r),
    ]
    return statements


def app_role_grant(role: str, *, create: bool, schema: str = "public") -> list[str]:
    """Give ``role`` the application's privileges on this database; return the SQL run."""
    if connection.vendor != "postgresql":
        raise InvalidInput("database roles exist only on PostgreSQL; this instance uses SQLite")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", [role]
        )
        found = cursor.fetchone()
        statements = []
        if found is None:
            if not create:
                raise InvalidInput(f"there is no database role {role!r} (add --create)")
            statements.append(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        elif found[0] or found[1]:
            raise InvalidInput(
                f"role {role!r} is a superuser or the role running this command: the "
                f"application needs a role of its own, without those powers"
            )
        cursor.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            [schema, AuditEntry._meta.db_table],
        )
        owner = cursor.fetchone()
        if owner and owner[0] == role:
            raise InvalidInput(f"role {role!r} owns the audit table; use another role for the app")
        statements += app_role_statements(
            role, database=connection.settings_dict["NAME"], schema=schema
        )
        texts = []
        for statement in statements:
            text = statement.as_string(cursor.connection)
            cursor.execute(text)
            texts.append(text)
    return texts
