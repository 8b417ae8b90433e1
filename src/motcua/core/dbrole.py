"""The database role the application connects as (PostgreSQL): it may read and write rows, and
nothing that would let it rewrite the event log unnoticed at the database — it is not a superuser
(no `session_replication_role = replica`, which switches every trigger off), owns no table (no
`ALTER TABLE … DISABLE TRIGGER`, no DROP), and holds no TRUNCATE or TRIGGER privilege. The tables
belong to another role, the one `motcua migrate` runs as (docs/operations.md).

`dbrole_grant` is run by that owner; `dbrole_check` by the application's own connection."""

import re
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from motcua.core.errors import ValidationFailed

EVENT_TABLE = "dossiers_dossierevent"
APPEND_ONLY_TRIGGER = "dossierevent_append_only"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def _role(name: str) -> str:
    if not _ROLE_NAME.match(name):
        raise ValidationFailed(
            "Tên vai trò CSDL chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới.",
            code="dbrole_name_invalid",
        )
    return connection.ops.quote_name(name)


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        raise ValidationFailed(
            "Vai trò CSDL chỉ áp dụng cho PostgreSQL (DATABASE_URL=postgres://…).",
            code="dbrole_needs_postgresql",
        )


def dbrole_grant(*, role: str, create: bool = False, password: str | None = None) -> list[str]:
    """Give `role` the application's privileges on every table and sequence of the schema, now and
    for tables later migrations create (default privileges of the connecting owner); with `create`,
    make the role first (LOGIN, nothing else). Returns the statements run."""
    _require_postgres()
    name = _role(role)
    statements = []
    if create:
        statements.append(
            f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            "NOBYPASSRLS" + (" PASSWORD %s" if password else "")
        )
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    statements += [
        f"GRANT CONNECT ON DATABASE {database} TO {name}",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {name}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {name}",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            # Django's psycopg cursors bind client-side, so the password is quoted as a literal.
            cursor.execute(statement, [password] if "%s" in statement else None)
    return [s.replace(" PASSWORD %s", " PASSWORD ***") for s in statements]


def _one(sql: str, params=()) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _refused(sql: str) -> bool:
    """Whether the database refuses `sql` (tried in a savepoint, rolled back either way)."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
            transaction.set_rollback(True)
    except DatabaseError:
        return True
    return False


def dbrole_check() -> list[Check]:
    """What the connecting role may do, each as a Check; all must pass in production."""
    _require_postgres()
    user = _one("SELECT current_user")
    attributes = _one(
        "SELECT json_build_object('super', rolsuper, 'createrole', rolcreaterole, "
        "'replication', rolreplication, 'bypassrls', rolbypassrls) "
        "FROM pg_roles WHERE rolname = current_user"
    )
    owned = _one(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
        "AND pg_has_role(current_user, tableowner, 'USAGE')"
    )
    event_owner = _one("SELECT tableowner FROM pg_tables WHERE tablename = %s", [EVENT_TABLE])
    trigger = _one(
        "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
        [APPEND_ONLY_TRIGGER, EVENT_TABLE],
    )
    truncate = _one(
        "SELECT bool_or(has_table_privilege(current_user, c.oid, 'TRUNCATE')) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
    )
    triggers_privilege = _one(
        "SELECT bool_or(has_table_privilege(current_user, c.oid, 'TRIGGER')) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
    )
    writes = _one(
        "SELECT bool_and(has_table_privilege(current_user, c.oid, 'SELECT,INSERT,UPDATE,DELETE')) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
    )
    return [
        Check("không phải siêu người dùng (superuser)", not attributes["super"], user),
        Check(
            "không có quyền tạo vai trò, sao chép, vượt RLS",
            not (attributes["createrole"] or attributes["replication"] or attributes["bypassrls"]),
        ),
        Check(
            "không sở hữu bảng nào (không tắt được trigger bằng ALTER TABLE)",
            owned == 0,
            f"sở hữu {owned} bảng" if owned else f"chủ bảng: {event_owner}",
        ),
        Check("không có quyền TRUNCATE", not truncate),
        Check("không có quyền TRIGGER", not triggers_privilege),
        Check(
            "không tắt được trigger (session_replication_role = replica bị từ chối)",
            _refused("SET LOCAL session_replication_role = replica"),
        ),
        Check(
            "trigger chỉ-ghi-thêm của nhật ký đang bật",
            trigger == "O",
            "không có" if trigger is None else f"tgenabled={trigger}",
        ),
        Check("đọc, ghi được mọi bảng của ứng dụng", bool(writes)),
    ]
