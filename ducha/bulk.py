"""Writing many rows at once: the one place for SQL that only PostgreSQL speaks.

Two needs, one module, so that a new feature finds the bulk layer instead of growing a third:

* ``insert_ignore`` and friends, for the reminder scan's hot path (bench/scan.py): on
  PostgreSQL each table gets ONE statement per batch, ``INSERT … SELECT * FROM unnest(arrays)
  ON CONFLICT DO NOTHING RETURNING …``: a few array parameters instead of tens of thousands of
  placeholders, and the ids of exactly the rows this statement inserted. Elsewhere (SQLite) it
  is ``bulk_create(ignore_conflicts=True)``. Either way the unique constraints decide what is
  new; this only makes the same decision cheaper to ask for.
* ``insert_rows``, for ledger imports of 100,000 matters (bench/ledger_excel.py):
  ``bulk_create`` spends about 60 µs of Python per object on model instances and per-field SQL
  compilation, far over the import's 10-second target. Here the column list comes from the
  model's own fields, every field the caller does not give gets the field's default (computed
  once), ``auto_now``/``auto_now_add`` get the current time, and each value is prepared by the
  backend's own adapters, so a field added to the model later is inserted with its default
  instead of being forgotten. PostgreSQL gets the rows through COPY; SQLite one prepared
  INSERT run with executemany.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone


def insert_ignore(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]],
                  returning: Sequence[str] = (), same: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values in ``fields`` order), skipping those that break a unique constraint.

    ``same``: fields with one value for every row, sent once. With ``returning`` (PostgreSQL
    only) the named columns of the inserted rows come back."""
    if not rows:
        return []
    meta = model._meta
    same = same or {}
    if connection.vendor != "postgresql":
        model.objects.bulk_create(  # type: ignore[attr-defined]
            [model(**{meta.get_field(f).attname: v for f, v in zip(fields, row, strict=True)},  # type: ignore[union-attr]
                   **{meta.get_field(f).attname: v for f, v in same.items()})  # type: ignore[union-attr]
             for row in rows],
            ignore_conflicts=True, batch_size=500,
        )
        return []
    columns: list[str] = []
    casts: list[str] = []
    for name in fields:
        f = meta.get_field(name)
        assert isinstance(f, models.Field)
        columns.append(str(f.column))
        casts.append(f"%s::{_db_type(f)}[]")
    arrays = [array_literal(col) for col in zip(*rows, strict=True)]
    extra_cols: list[str] = []
    extra_vals: list[str] = []
    for name in same:
        f = meta.get_field(name)
        assert isinstance(f, models.Field)
        extra_cols.append(str(f.column))
        extra_vals.append(f"%s::{_db_type(f)}")
    for f in meta.concrete_fields:
        if getattr(f, "auto_now_add", False) and f.name not in fields:
            extra_cols.append(str(f.column))
            extra_vals.append("now()")
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns + extra_cols)
    extra = "".join(", " + v for v in extra_vals)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({quoted}) "  # noqa: S608 - names from the model
        f"SELECT *{extra} FROM unnest({', '.join(casts)}) ON CONFLICT DO NOTHING"
    )
    if returning:
        back = [str(getattr(meta.get_field(r), "column", r)) for r in returning]
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(c) for c in back)
    return execute_arrays(sql, [*same.values(), *arrays], fetch=bool(returning))


def _db_type(f: models.Field[Any, Any]) -> str:
    db_type = f.db_type(connection) or "text"
    return "bigint" if db_type in ("bigserial", "serial") else db_type


def execute_arrays(sql: str, params: Sequence[Any], *, fetch: bool = False) -> list[tuple[Any, ...]]:
    """Run ``sql`` with server-side binding: each array literal travels as one parameter instead
    of being spliced into the SQL text (Django's default cursor binds on the client)."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    try:
        # Django's own wrapper, so query logging and counting (tests, the benchmark) stay intact.
        wrapped = connection._prepare_cursor(raw)  # type: ignore[attr-defined]
        with wrapped as cur:
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()] if fetch else []
    finally:
        raw.close()


def _element(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False)
    text = v.isoformat() if hasattr(v, "isoformat") else str(v)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal ('{1,"a b",NULL}'), sent as ONE text parameter and cast on the
    server, where psycopg's array dumper would walk every element in Python. Columns of one
    type take a fast path (a join in C); dates and datetimes are formatted once per distinct value."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, date):  # dates and datetimes, NULLs among them: a batch holds few distinct ones
        return _temporal(values)
    if sample is None or any(v is None for v in values):
        return "{" + ",".join(map(_element, values)) + "}"
    if isinstance(sample, bool):
        return "{" + ",".join(["t" if v else "f" for v in values]) + "}"
    if isinstance(sample, int):
        return "{" + ",".join(map(str, values)) + "}"
    if isinstance(sample, str):
        return '{"' + '","'.join([v.replace("\\", "\\\\").replace('"', '\\"') for v in values]) + '"}'
    return "{" + ",".join(map(_element, values)) + "}"


def _temporal(values: Sequence[Any]) -> str:
    text: dict[Any, str] = {}
    out: list[str] = []
    for v in values:
        s = text.get(v)
        if s is None:
            s = text[v] = "NULL" if v is None else '"' + v.isoformat() + '"'
        out.append(s)
    return "{" + ",".join(out) + "}"


def filter_ids(qs: QuerySet[Any], field: str, ids: Sequence[int]) -> QuerySet[Any]:
    """``qs.filter(field__in=ids)``; on PostgreSQL as ``= ANY(array)``: one parameter instead of
    thousands, which the driver and the server both handle far faster."""
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{field}__in": ids})
    column = str(getattr(qs.model._meta.get_field(field), "column", field))
    qualified = f"{connection.ops.quote_name(qs.model._meta.db_table)}.{connection.ops.quote_name(column)}"
    return qs.extra(where=[f"{qualified} = ANY(%s::bigint[])"],  # noqa: S610
                    params=[array_literal(ids)])


# -- many new rows of a model (ledger imports) --

BATCH = 2000


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value becomes a database value; None when it is passed as it is."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(field, models.JSONField):
        # What get_db_prep_save comes down to for a plain value, without its layers (1.4 s of a
        # 100,000-row import went there).
        encoder = field.encoder
        return lambda v: ops.adapt_json_value(v, encoder)
    return None


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT ``rows`` (values in the order of ``names``, attribute names such as ``lead_unit_id``)
    into ``model``'s table; returns the number of rows. Primary keys come from the database."""
    now = timezone.now()
    given = {name: i for i, name in enumerate(names)}
    unknown = set(names) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    columns: list[str] = []
    template: list[Any] = []  # one row with every default in place
    varying: list[tuple[int, int, Callable[[Any], Any]]] = []  # (column, index in names, converter)
    direct: list[tuple[int, int]] = []  # (column, index in names) of values passed as they are
    for field in model._meta.concrete_fields:
        if field.primary_key and field.db_returning:  # the database numbers the rows
            continue
        columns.append(connection.ops.quote_name(field.column or field.attname))
        if field.attname in given:
            convert = _converter(field)
            if convert is None:
                direct.append((len(template), given[field.attname]))
            else:
                varying.append((len(template), given[field.attname], convert))
            template.append(None)
        else:
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            template.append(field.get_db_prep_save(now if auto else field.get_default(), connection))
    table = connection.ops.quote_name(model._meta.db_table)

    def prepared() -> Iterable[list[Any]]:
        for row in rows:
            values = template.copy()
            for column, index in direct:
                values[column] = row[index]
            for column, index, convert in varying:
                values[column] = convert(row[index])
            yield values

    if connection.vendor == "postgresql":
        return _copy(table, columns, prepared())
    # Identifiers from the model's metadata, quoted by the backend; every value is a parameter.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    count = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for values in prepared():
            batch.append(values)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _copy(table: str, columns: list[str], rows: Iterable[list[Any]]) -> int:
    """PostgreSQL: COPY FROM STDIN, several times faster than INSERTs for 100,000 rows; psycopg
    adapts each value as it would a query parameter."""
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for values in rows:
            copy.write_row(values)
            count += 1
    return count
