"""Model instances from one hand-written statement, for the few reads on every request.

Django compiles a queryset's SQL again on every evaluation: for a ``select_related`` over four
tables that costs more than the query itself (issue 14: the API token's lookup took ~1 ms of a
new ticket's CPU). ``Columns`` lists a model's columns under a table alias once per process and
turns the matching slice of a result row into an instance exactly as the ORM would (the
database's converters applied, ``Model.from_db``), so a statement written once can stand in for
the queryset. ``prepared`` keeps the queryset and compiles it once instead (below)."""

import copy
import datetime
import functools

from django.db import connections, models


class Columns:
    """The concrete columns of ``model`` under ``alias``: ``sql`` for the select list,
    ``build(row, start)`` for the instance in row[start:start + len(columns)] (None when its
    primary key is NULL, a LEFT JOIN that found nothing)."""

    def __init__(self, model, alias: str, using: str = "default"):
        connection = connections[using]
        quote = connection.ops.quote_name
        self.model, self.using = model, using
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in fields)
        self.pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
        self.converters = []
        for i, field in enumerate(fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if found:
                self.converters.append((i, col, found))

    def __len__(self) -> int:
        return len(self.attnames)

    def build(self, row, start: int = 0):
        values = list(row[start : start + len(self.attnames)])
        if values[self.pk_index] is None:
            return None
        connection = connections[self.using]
        for i, col, found in self.converters:
            value = values[i]
            for converter in found:
                value = converter(value, col, connection)
            values[i] = value
        return self.model.from_db(self.using, self.attnames, values)


_COLUMNS: dict = {}


def columns(model, alias: str, using: str = "default") -> Columns:
    """``Columns`` for (model, alias), made once per process and database."""
    key = (model, alias, using, connections[using].vendor)
    found = _COLUMNS.get(key)
    if found is None:
        found = _COLUMNS[key] = Columns(model, alias, using)
    return found


_SQL: dict = {}


def _select(model, where: str, limit: str, using: str):
    connection = connections[using]
    cols = columns(model, "m", using)
    if limit.endswith(" FOR UPDATE") and not connection.features.has_select_for_update:
        limit = limit.removesuffix(" FOR UPDATE")  # SQLite: the write transaction locks
    key = (model, where, limit, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = (
            f"SELECT {cols.sql} FROM {model._meta.db_table} m WHERE {where} "
            f"ORDER BY m.{connection.ops.quote_name(model._meta.pk.column)}{limit}"
        )
    return connection, cols, sql


def first(model, where: str, params, *, lock: bool = False, using: str = "default"):
    """``model.objects.filter(…).order_by("pk").first()`` for a fixed ``where`` clause over the
    model's own columns (``%s`` placeholders, columns as in the table under the alias ``m``),
    written once per process and database. ``lock``: ``select_for_update()`` (the row stays
    locked until the transaction ends)."""
    connection, cols, sql = _select(model, where, " LIMIT 1" + (" FOR UPDATE" * lock), using)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else cols.build(row)


def many(model, where: str, params, *, using: str = "default") -> list:
    """``list(model.objects.filter(…).order_by("pk"))`` as ``first`` does it."""
    connection, cols, sql = _select(model, where, "", using)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [cols.build(row) for row in cursor.fetchall()]


def insert(objs: list, *, using: str = "default") -> list:
    """``Model.objects.bulk_create(objs)`` for plain rows of one model, as one
    ``INSERT … RETURNING`` whose text is made once per model and row count; sets each
    instance's primary key. Like bulk_create it sends no signals and calls no ``save()``: only
    for models that need neither."""
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    fields = _insert_fields(model, connection)
    key = ("insert", model, len(objs), connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = _SQL[key] = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(quote(f.column) for f, _ in fields)}) "
            f"VALUES {', '.join([one] * len(objs))} RETURNING {quote(model._meta.pk.column)}"
        )
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
        params += _values(obj, fields, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, using
    return objs


def update(model, pk, *, using: str = "default", **values) -> None:
    """``model.objects.filter(pk=pk).update(**values)`` for plain values, from a statement made
    once per model and set of columns (the queryset's compilation cost more than the UPDATE on
    the write path of every ticket)."""
    connection = connections[using]
    names = tuple(values)
    key = ("update", model, names, connection.vendor)
    sql = _SQL.get(key)
    meta = model._meta
    if sql is None:
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(meta.get_field(n).column)} = %s" for n in names)
        sql = _SQL[key] = f"UPDATE {meta.db_table} SET {sets} WHERE {quote(meta.pk.column)} = %s"
    params = [meta.get_field(n).get_db_prep_save(values[n], connection) for n in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])


_FIELDS: dict = {}


# A field of exactly these classes hands the database a value of this type (or None) as it is:
# ``get_db_prep_save`` would only check that (issue 14: ~100 calls through it per new ticket).
# A subclass may prepare its values differently, so only these classes themselves.
_PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,
}
_DATETIME = datetime.datetime
_PREPARE = object()  # not a value: the field prepares its own


def _plain_type(field, vendor: str):
    """The value type ``field`` passes through unchanged; ``datetime`` for a date-time field
    its own ``pre_save`` does not set (an aware value then only needs the backend's adapter);
    None: through Django's own preparation. On PostgreSQL Django types each integer by its
    column (Int2, Int8 …), which keeps a prepared statement's parameter types the same: ints
    go through it there."""
    if type(field) is models.DateTimeField:
        return None if field.auto_now or field.auto_now_add else _DATETIME
    if type(field) in (models.ForeignKey, models.OneToOneField):
        target = field.target_field
        plain = int if isinstance(target, models.AutoField) else _PLAIN.get(type(target))
    else:
        plain = _PLAIN.get(type(field))
    return None if plain is int and vendor != "sqlite" else plain


def _values(obj, fields, connection) -> list:
    """What ``bulk_create`` would send for ``obj``'s columns: ``get_db_prep_save(pre_save())``
    of each field, skipped where the value needs nothing (see ``_PLAIN``)."""
    out = []
    for f, plain in fields:
        value = getattr(obj, f.attname) if plain is not None else _PREPARE
        if value is None or (type(value) is plain and plain is not _DATETIME):
            out.append(value)
        elif plain is _DATETIME and type(value) is _DATETIME and value.tzinfo is not None:
            out.append(connection.ops.adapt_datetimefield_value(value))
        else:
            out.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    return out


def _insert_fields(model, connection):
    """(field, its plain value type or None) for each column an INSERT writes."""
    key = (model, connection.vendor)
    found = _FIELDS.get(key)
    if found is None:
        found = _FIELDS[key] = [
            (f, _plain_type(f, connection.vendor))
            for f in model._meta.concrete_fields
            if not f.primary_key and not getattr(f, "generated", False)
        ]
    return found


# --------------------------------------------------------------------------- compiled reads


class Prepared:
    """A queryset whose SQL is compiled once per process and database, then run with each
    call's arguments: ``@rows.prepared`` over a function that builds the queryset from plain
    arguments (ints and strings, each passed to a lookup as it is). Calling it returns the list
    the queryset would (instances with their ``select_related`` rows, ``values_list`` tuples,
    prefetches) from the same statement, without compiling it again.

    Django compiles a queryset's SQL on every evaluation: for the ticket page's panels, a dozen
    small reads by the ticket's id, that cost twice the database's time (issue 14). The builder
    must give the same SQL whatever its arguments' values (no ``if`` on them, no clock: pass
    ``now`` in); the first call builds it twice with different stand-in values and refuses a
    builder whose statement or constant parameters differ, or whose argument does not reach a
    parameter unchanged (``__contains`` wraps it in ``%``: not for this)."""

    def __init__(self, build):
        self.build = build
        self.plans: dict = {}
        functools.update_wrapper(self, build)

    def __call__(self, *args) -> list:
        kinds = tuple(map(_kind, args))
        plan = self.plans.get(kinds)
        if plan is None:
            plan = self.plans[kinds] = _Plan(self.build, kinds)
        return plan.run(args)

    def first(self, *args):
        """The first row the call gives, or None (for a builder sliced ``[:1]`` or by key)."""
        found = self(*args)
        return found[0] if found else None


def prepared(build) -> Prepared:
    return Prepared(build)


def _kind(value):
    kind = type(value)
    if kind not in (int, str):
        raise TypeError(f"prepared reads take ints and strings, not {kind.__name__}")
    return kind


def _stand_in(kind, index: int, round_: int):
    """A value no real argument or constant of a statement will equal."""
    if kind is int:
        return -7_331_000_000 - 10 * index - round_
    return f"\x1fkefu-arg-{index}-{round_}\x1f"


class _Plan:
    def __init__(self, build, kinds):
        first, second = (
            [_stand_in(kind, i, round_) for i, kind in enumerate(kinds)] for round_ in (0, 1)
        )
        self.queryset = build(*first)
        self.using = self.queryset.db
        self.vendor = connections[self.using].vendor
        self.compiler = self.queryset.query.get_compiler(using=self.using)
        self.sql, params = self.compiler.as_sql()
        other_sql, other_params = build(*second).query.get_compiler(using=self.using).as_sql()
        if other_sql != self.sql or len(other_params) != len(params):
            raise ValueError(f"{build.__qualname__}: its SQL depends on its arguments' values")
        self.params, self.slots, reached = list(params), [], set()
        for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
            index = next(
                (i for i, v in enumerate(first) if type(v) is type(value) and v == value), None
            )
            if index is not None:
                if other != second[index]:
                    raise ValueError(f"{build.__qualname__}: argument {index} moves in the SQL")
                self.slots.append((position, index))
                reached.add(index)
            elif value != other:
                raise ValueError(
                    f"{build.__qualname__}: parameter {position} is neither an argument nor "
                    "a constant (a clock read while building, or an argument transformed, as "
                    "__contains wraps it in %)"
                )
        if reached != set(range(len(kinds))):
            missing = sorted(set(range(len(kinds))) - reached)
            raise ValueError(
                f"{build.__qualname__}: arguments {missing} do not reach the SQL unchanged"
            )

    def run(self, args) -> list:
        if connections[self.using].vendor != self.vendor:
            raise RuntimeError("the database changed under a prepared read")
        params = list(self.params)
        for position, index in self.slots:
            params[position] = args[index]
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.using]  # this thread's connection
        sql = self.sql
        compiler.as_sql = lambda *a, **k: (sql, params)
        queryset = self.queryset._clone()
        queryset.query.get_compiler = lambda *a, **k: compiler
        return list(queryset)
