"""The migrated database holds every table, column, key and index of the spec."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

SPEC = Path(__file__).parents[1] / "fixtures" / "schema-design.md"
SHARED_SPEC = Path(__file__).parents[3] / "shared" / "spec" / "schema-design.md"

# Deviations recorded, with reasons, in docs/schema.md: (table, column) -> what differs.
NULLABLE_IN_DB = {("users", "email"), ("users", "password_hash")}
NOT_NULL_IN_DB = {("training_sessions", "status"), ("performance_metrics", "recorded_at")}
PRIMARY_KEY_IN_DB = {"performance_metrics": ["id", "recorded_at"]}
DEFAULT_IN_DB = {("users", "last_name"): "''"}
# Encrypted at rest (domain.secrets_box): ciphertext does not fit the spec's VARCHARs.
TYPE_IN_DB = {
    ("athletes", "emergency_contact_name"): "text",
    ("athletes", "emergency_contact_phone"): "text",
    ("users", "phone_number"): "text",
}

TYPES = {
    "UUID": "uuid",
    "TEXT": "text",
    "TEXT[]": "text[]",
    "INTEGER": "integer",
    "DATE": "date",
    "JSONB": "jsonb",
    "BOOLEAN": "boolean",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
}


@dataclass
class SpecColumn:
    table: str
    name: str
    type: str
    not_null: bool
    default: str | None
    references: str | None
    unique: bool
    primary_key: bool


def pg_type(spec_type: str) -> str:
    if m := re.fullmatch(r"VARCHAR\((\d+)\)", spec_type):
        return f"character varying({m[1]})"
    if m := re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", spec_type):
        return f"numeric({m[1]},{m[2]})"
    return TYPES[spec_type]


def parse_columns(sql: str) -> list[SpecColumn]:
    columns = []
    for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", sql, re.S):
        for line in body.strip().splitlines():
            line = line.strip().rstrip(",")
            m = re.match(
                r"(\w+) (TIMESTAMP WITH TIME ZONE|VARCHAR\(\d+\)|DECIMAL\(\d+,\s*\d+\)"
                r"|TEXT\[\]|\w+)(.*)",
                line,
            )
            assert m, f"unparsed spec line: {line}"
            name, spec_type, rest = m.groups()
            default = re.search(r"DEFAULT ('[^']*'|[\w()]+)", rest)
            ref = re.search(r"REFERENCES (\w+)\((\w+)\)", rest)
            columns.append(
                SpecColumn(
                    table=table,
                    name=name,
                    type=pg_type(spec_type),
                    not_null="NOT NULL" in rest or "PRIMARY KEY" in rest,
                    default=default[1] if default else None,
                    references=f"{ref[1]}.{ref[2]}" if ref else None,
                    unique="UNIQUE" in rest,
                    primary_key="PRIMARY KEY" in rest,
                )
            )
    return columns


def parse_indexes(sql: str) -> list[tuple[str, str, str, str]]:
    found = re.findall(r"CREATE INDEX (\w+) ON (\w+)(?: USING (\w+))?\s*\((\w+)\)", sql)
    return [
        (name, table, (method or "btree").lower(), column) for name, table, method, column in found
    ]


SPEC_SQL = "\n".join(re.findall(r"```sql\n(.*?)```", SPEC.read_text(), re.S))
SPEC_COLUMNS = parse_columns(SPEC_SQL)
SPEC_INDEXES = parse_indexes(SPEC_SQL)


def normalise_default(expr: str | None) -> str | None:
    return re.sub(r"::[\w ]+(\[\])?$", "", expr) if expr else None


@pytest.fixture(scope="module")
async def catalog(database_url: str) -> asyncpg.Connection:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(url)
    yield conn
    await conn.close()


def test_spec_copy_is_current_with_the_shared_spec() -> None:
    if not SHARED_SPEC.exists():
        pytest.skip("shared/ is not laid beside this checkout")
    assert SPEC.read_text() == SHARED_SPEC.read_text()


def test_spec_parser_sees_all_nine_tables_and_every_index() -> None:
    assert len({c.table for c in SPEC_COLUMNS}) == 9
    assert len(SPEC_COLUMNS) == 111
    assert len(SPEC_INDEXES) == 19


async def test_every_spec_column_exists_with_its_type_nullability_and_default(catalog) -> None:
    rows = await catalog.fetch(
        """
        SELECT c.relname AS table, a.attname AS column,
               format_type(a.atttypid, a.atttypmod) AS type,
               a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
        """
    )
    actual = {(r["table"], r["column"]): r for r in rows}
    problems = []
    for col in SPEC_COLUMNS:
        key = (col.table, col.name)
        if key not in actual:
            problems.append(f"{key} missing")
            continue
        row = actual[key]
        expected_type = TYPE_IN_DB.get(key, col.type)
        if row["type"] != expected_type:
            problems.append(f"{key} type {row['type']} != {expected_type}")
        expected_not_null = (col.not_null or key in NOT_NULL_IN_DB) and key not in NULLABLE_IN_DB
        if row["not_null"] != expected_not_null:
            problems.append(f"{key} not_null {row['not_null']} != {expected_not_null}")
        expected_default = DEFAULT_IN_DB.get(key, col.default)
        if normalise_default(row["default"]) != expected_default:
            problems.append(f"{key} default {row['default']} != {expected_default}")
    assert problems == []


async def test_every_spec_foreign_key_unique_and_primary_key_exists(catalog) -> None:
    rows = await catalog.fetch(
        """
        SELECT con.contype::text AS kind, c.relname AS table,
               array_agg(a.attname ORDER BY k.ord) AS columns,
               rc.relname AS ref_table, max(ra.attname) AS ref_column
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        LEFT JOIN pg_class rc ON rc.oid = con.confrelid
        LEFT JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
        WHERE con.contype IN ('f', 'u', 'p') AND c.relkind IN ('r', 'p')
        GROUP BY con.oid, con.contype, c.relname, rc.relname
        """
    )
    fks = {
        (r["table"], r["columns"][0], f"{r['ref_table']}.{r['ref_column']}")
        for r in rows
        if r["kind"] == "f"
    }
    uniques = {(r["table"], tuple(r["columns"])) for r in rows if r["kind"] == "u"}
    pks = {r["table"]: list(r["columns"]) for r in rows if r["kind"] == "p"}
    for col in SPEC_COLUMNS:
        if col.references:
            assert (col.table, col.name, col.references) in fks
        if col.unique:
            assert (col.table, (col.name,)) in uniques
        if col.primary_key:
            assert pks[col.table] == PRIMARY_KEY_IN_DB.get(col.table, [col.name])


async def test_every_spec_index_exists_by_name_table_method_and_column(catalog) -> None:
    rows = await catalog.fetch(
        """
        SELECT i.relname AS name, t.relname AS table, am.amname AS method,
               array_agg(a.attname ORDER BY a.attnum) AS columns
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
        WHERE t.relkind IN ('r', 'p') GROUP BY i.relname, t.relname, am.amname
        """
    )
    actual = {(r["name"], r["table"], r["method"], tuple(r["columns"])) for r in rows}
    missing = [idx for idx in SPEC_INDEXES if (idx[0], idx[1], idx[2], (idx[3],)) not in actual]
    assert missing == []


async def test_users_role_is_checked_against_the_five_roles(catalog) -> None:
    definition = await catalog.fetchval(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ck_users_role'"
    )
    for role in ("athlete", "parent", "coach", "mentor", "admin"):
        assert f"'{role}'" in definition
