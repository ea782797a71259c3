"""Hot reads and inserts whose SQL is written once per process, then run with new values.

Every upload asks the same few questions (its token, its destination, an identical earlier
file), each a query whose shape never changes: only the values do. Building and compiling
the queryset (filters, joins, `select_related`'s columns) is most of the CPU such a read
costs; the database's part is a tenth of it. `PreparedRead` has the ORM build and compile
the query once, with marker values, notes where the markers land in the parameters, and
from then on runs the same SQL with the real values through Django's own iterables, so
rows become models (related objects included) or tuples exactly as the queryset would give
them. Nothing is cached but the SQL's text: every call reads the database, so a revoked
token or a closed school is seen at once.

Only scalar values can be markers (an `__in` list or a None that turns `=` into `IS NULL`
changes the SQL's shape: give each shape its own `key`, which `build` is given too).

`insert_new` is the same for the rows an upload writes: `Model.objects.create()` builds the
INSERT and its compiler again for every row, most of the CPU a short insert costs.
`insert_new_linked` writes several new rows that refer to each other (a stored file, the
transfer that holds it, the audit record of the transfer) in one statement on PostgreSQL:
each statement cost its own round trip, the client's Python and the server's work a
statement (issue 18).
"""

from collections.abc import Callable
from functools import cache
from threading import Lock

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.signals import post_save, pre_save

# Marker values no real row or argument holds, one per parameter position: a string
# (text columns) and a large negative number (ids), so either kind of field takes them.
_TEXT_MARK = "\x00s2s-prepared-{}\x00"
_ID_MARK = -(2**62)


def _marker(index: int, kind: type) -> object:
    return _ID_MARK - index if kind is int else _TEXT_MARK.format(index)


class PreparedRead:
    """A queryset built by `build(*values)`, compiled once per database and shape.

    A value is a string or an int (an id); a None is not a value but part of the shape.
    """

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict = {}
        self._lock = Lock()

    def _compile(self, alias: str, key, values) -> tuple[QuerySet, tuple, tuple[int, ...]]:
        markers = [_marker(i, type(value)) for i, value in enumerate(values)]
        queryset = self.build(*markers, key=key) if key is not None else self.build(*markers)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = tuple(params)
        # A marker whose value the shape (`key`) leaves out of the SQL has no position.
        positions = tuple(params.index(marker) if marker in params else None
                          for marker in markers)
        queryset = queryset.using(alias)
        queryset.query.__class__ = _prepared_query_class(type(queryset.query))
        queryset.query.prepared = (compiler, sql, params)
        queryset.row_maker = _row_maker(queryset, compiler, alias)
        return queryset, params, positions

    def _prepared(self, values, key, using: str) -> tuple[QuerySet, tuple]:
        """Return the compiled queryset of this shape, and the parameters for these values."""
        # The values' count and types are part of the shape: their markers depend on them.
        shape = (using, connections[using].vendor, key, tuple(type(v) for v in values))
        entry = self._compiled.get(shape)
        if entry is None:
            with self._lock:
                entry = self._compiled.setdefault(shape, self._compile(using, key, values))
        template, params, positions = entry
        params = list(params)
        for position, value in zip(positions, values, strict=True):
            if position is not None:
                params[position] = value
        return template, tuple(params)

    def queryset(self, *values, key=None, using: str = DEFAULT_DB_ALIAS) -> QuerySet:
        """Return the queryset for these values: iterate it (not filter or get) to run it."""
        template, params = self._prepared(values, key, using)
        queryset = template._chain()
        compiler, sql, _params = template.query.prepared
        queryset.query.prepared = (compiler, sql, params)
        return queryset

    def first(self, *values, key=None, using: str = DEFAULT_DB_ALIAS) -> object | None:
        """Return the first row for these values, or None.

        Run straight from the cursor where the queryset gives models (with `select_related`)
        or tuples: the row becomes them as Django's iterables make them, from parts worked
        out at compile time (the iterables work them out again on every run, a third of the
        CPU such a read cost; issue 18).
        """
        template, params = self._prepared(values, key, using)
        if template.row_maker is None:
            for row in self.queryset(*values, key=key, using=using):
                return row
            return None
        _compiler, sql, _params = template.query.prepared
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else template.row_maker(row)


def _row_maker(queryset: QuerySet, compiler, alias: str) -> Callable | None:
    """Return what turns one raw row into what iterating `queryset` gives, if it is simple.

    Models (their `select_related` ones and annotations included) or tuples without
    annotations; None for anything else (known related objects, prefetching, tuples whose
    annotations reorder them), which the queryset's own iterable runs.
    """
    iterable = queryset._iterable_class
    simple = (not queryset._known_related_objects and not queryset._prefetch_related_lookups
              and (iterable is ModelIterable
                   or (iterable is ValuesListIterable and not compiler.annotation_col_map)))
    if not simple:
        return None
    count = compiler.col_count
    converters = list(compiler.get_converters(
        [column[0] for column in compiler.select[:count]]).items())

    def converted(raw: tuple) -> list:
        row = list(raw[:count])
        connection = connections[alias]
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row

    if iterable is ValuesListIterable:
        return lambda raw: tuple(converted(raw))
    klass_info, select = compiler.klass_info, compiler.select
    model, fields = klass_info["model"], klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    # RelatedPopulator keeps nothing of a row: one set serves every run.
    populators = get_related_populators(klass_info, select, alias)
    annotations = list(compiler.annotation_col_map.items())  # extra(select=...) too

    def model_of(raw: tuple) -> models.Model:
        row = converted(raw)
        obj = model.from_db(alias, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        return obj

    return model_of


_classes: dict[type, type] = {}


def _prepared_query_class(base: type) -> type:
    """Return a subclass of the Query class `base` whose compiler runs the prepared SQL."""
    if base not in _classes:

        def get_compiler(self, using=None, connection=None, elide_empty=True):
            compiler = base.get_compiler(self, using, connection, elide_empty)
            template, sql, params = self.prepared
            # What as_sql() would have worked out: the columns and how rows become objects.
            for name in ("select", "klass_info", "annotation_col_map", "col_count",
                         "has_extra_select"):
                setattr(compiler, name, getattr(template, name))
            compiler.as_sql = lambda *args, **kwargs: (sql, params)
            # How each column's value is converted depends on the columns alone: worked out
            # once (Django asks each column again on every run).
            converters = getattr(template, "prepared_converters", None)
            if converters is None:
                converters = template.get_converters(
                    [column[0] for column in template.select[:template.col_count]])
                template.prepared_converters = converters
            compiler.get_converters = lambda expressions: converters
            return compiler

        _classes[base] = type(f"Prepared{base.__name__}", (base,),
                              {"get_compiler": get_compiler, "prepared": None})
    return _classes[base]


# --- inserts ------------------------------------------------------------------------------

_INSERTS: dict = {}


@cache
def _insert_fields(model: type[models.Model]) -> list:
    """Return the fields a new row of `model` may write: every concrete one but its id."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert_sql(model: type[models.Model], columns: tuple[str, ...], connection) -> str:
    """Return the INSERT ... RETURNING id of a new row of `model` writing these columns."""
    key = (model, columns, connection.vendor)
    if key not in _INSERTS:
        quote = connection.ops.quote_name
        _INSERTS[key] = (
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(column) for column in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {quote(model._meta.pk.column)}"
        )
    return _INSERTS[key]


def _left_null(field, value) -> bool:
    """Whether a column can be left out of the INSERT, since the database writes NULL anyway.

    A new transfer has a dozen such (collected, rejected, deleted, downloaded, notified...).
    Leaving them out keeps the upload's statement under 50 parameters, below which psycopg
    keeps its parsed form: above, it parsed the statement's placeholders again on every
    upload (0.12 ms, issue 18).
    """
    return value is None and field.null and not field.has_db_default()


def _row_values(obj: models.Model, connection, linked=()) -> tuple[list, list]:
    """Return the fields a new row writes (but the `linked` attnames) and their values.

    Each value is prepared as `save()` prepares it (`pre_save`, so `auto_now` fields are set,
    then `get_db_prep_save`); a nullable field left None is not written (`_left_null`).
    """
    fields, values = [], []
    for field in _insert_fields(type(obj)):
        if field.attname in linked:
            continue
        value = _prepped(field, obj, connection)
        if not _left_null(field, value):
            fields.append(field)
            values.append(value)
    return fields, values


def _insertable(model: type[models.Model], connection) -> bool:
    """Whether `insert_new` may write this model's rows itself (else `save()` does)."""
    return (connection.features.can_return_columns_from_insert
            and not model._meta.parents  # one table, one row
            and isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
            and not pre_save.has_listeners(model) and not post_save.has_listeners(model))


def _own_save_check(model: type[models.Model], allowed: bool) -> None:
    if model.save is not models.Model.save and not allowed:
        raise TypeError(f"{model.__name__} has a save() of its own: call that, not insert_new")


def _prepped(field, obj: models.Model, connection) -> object:
    return field.get_db_prep_save(field.pre_save(obj, add=True), connection)


def _inserted(obj: models.Model, new_id: int, using: str) -> None:
    obj.pk = new_id
    obj._state.adding = False
    obj._state.db = using


def insert_new(obj: models.Model, *, then: tuple[str, list] | None = None,
               using: str = DEFAULT_DB_ALIAS, from_own_save: bool = False) -> models.Model:
    """Insert the new row `obj` as `save()` would, with an INSERT written once per shape.

    The INSERT is written once per model and set of columns (a nullable field left None is not
    written, so the database writes NULL). Each field's value is prepared as `save()` prepares
    it (`_row_values`), and the new id read back into `obj`. `save()` itself, and its signals,
    run instead for a model this cannot write alone (no RETURNING on the database, a parent
    table, no automatic id, signal receivers). A model with a `save()` of its own (Establishment
    sets its code there) is refused, as skipping it would write a wrong row, unless that
    `save()` is the caller (`from_own_save`: the audit trail's).

    `then` is a statement to run in the same round trip, after the row is in, on PostgreSQL
    only: its SQL reads the new id as `new_row.id` (say, `INSERT ... SELECT new_row.id, ...
    FROM new_row`). Elsewhere it runs as a second statement with `new_row` a one-row table.
    """
    connection = connections[using]
    model = type(obj)
    _own_save_check(model, from_own_save)
    if not _insertable(model, connection):
        models.Model.save(obj, force_insert=True, using=using)
        new_id = obj.pk
    else:
        fields, params = _row_values(obj, connection)
        sql = _insert_sql(model, tuple(f.column for f in fields), connection)
        if then is not None and connection.vendor == "postgresql":
            sql = f"WITH new_row AS ({sql} AS id), followed AS ({then[0]}) SELECT id FROM new_row"
            params += then[1]
            then = None
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            new_id = cursor.fetchone()[0]
        _inserted(obj, new_id, using)
    if then is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH new_row AS (SELECT %s AS id) {then[0]}", [new_id, *then[1]])
    return obj


# A row of `insert_new_linked`: the new object, and its fields (by attname) that take the new
# id of an earlier object of the same call.
Linked = tuple[models.Model, dict[str, models.Model]]
_LINKED: dict = {}


def _takes_text(field) -> bool:
    """Whether a linked field holds the new id as text (the audit record's `object_id`)."""
    return field.get_internal_type() in ("CharField", "TextField")


def _linked_value(obj: models.Model, attname: str, earlier: models.Model) -> object:
    field = obj._meta.get_field(attname)  # a foreign key is found by its attname too
    return str(earlier.pk) if _takes_text(field) else earlier.pk


def _linked_sql(rows: list[Linked], written: list[tuple[str, ...]], then_of: int | None,
                then_sql: str, connection) -> str:
    """Return one statement inserting every row: a data-modifying WITH per row, in order.

    `written` holds each row's columns that take a parameter (`_row_values`); its linked
    fields read an earlier row's new id.
    """
    positions = {id(obj): index for index, (obj, _) in enumerate(rows)}
    key = (connection.vendor, then_of, then_sql, tuple(
        (type(obj), columns, tuple(sorted((name, positions[id(e)]) for name, e in links.items())))
        for (obj, links), columns in zip(rows, written, strict=True)))
    if key not in _LINKED:
        quote = connection.ops.quote_name
        names = ["new_row" if index == then_of else f"new_{index}" for index in range(len(rows))]
        parts = []
        for index, ((obj, links), columns) in enumerate(zip(rows, written, strict=True)):
            model = type(obj)
            values = ["%s"] * len(columns)
            for attname, earlier in links.items():
                field = model._meta.get_field(attname)
                cast = "::text" if _takes_text(field) else ""
                values.append(f"(SELECT id{cast} FROM {names[positions[id(earlier)]]})")
                columns += (field.column,)
            parts.append(
                f"{names[index]} AS (INSERT INTO {quote(model._meta.db_table)} "
                f"({', '.join(quote(column) for column in columns)}) VALUES ({', '.join(values)}) "
                f"RETURNING {quote(model._meta.pk.column)} AS id)")
        if then_of is not None:
            parts.append(f"followed AS ({then_sql})")
        _LINKED[key] = ("WITH " + ", ".join(parts) + " SELECT "
                        + ", ".join(f"(SELECT id FROM {name})" for name in names))
    return _LINKED[key]


def insert_new_linked(rows: list[Linked], *,
                      then: tuple[models.Model, str, list] | None = None,
                      using: str = DEFAULT_DB_ALIAS,
                      own_save_of: type[models.Model] | None = None) -> None:
    """Insert new rows as `insert_new` does, later rows taking earlier rows' new ids.

    `rows` is a list of `(obj, links)`: `links` maps a field of `obj` (its attname, such as
    `stored_file_id`, or a text field such as the audit record's `object_id`) to an earlier
    object of the list, whose new id the field takes. `then` is `(obj, sql, params)`: a
    statement run once `obj`'s row is in, reading its id as `new_row.id` (as `insert_new`'s).
    On PostgreSQL it is all one statement, so one round trip and, outside a transaction,
    one commit; elsewhere (or for a row `insert_new` would hand to `save()`) the rows go in
    one by one, in a transaction of their own: all of them or none either way.
    `own_save_of` is the one model whose `save()` of its own is the caller's (the audit
    trail's).
    """
    connection = connections[using]
    for obj, _links in rows:
        _own_save_check(type(obj), type(obj) is own_save_of)
    then_obj, then_sql, then_params = then if then is not None else (None, "", [])
    if connection.vendor != "postgresql" or not all(
            _insertable(type(obj), connection) for obj, _links in rows):
        with transaction.atomic(using=using):
            for obj, links in rows:
                for attname, earlier in links.items():
                    setattr(obj, attname, _linked_value(obj, attname, earlier))
                insert_new(obj, then=(then_sql, then_params) if obj is then_obj else None,
                           using=using, from_own_save=type(obj) is own_save_of)
        return
    then_of = next((index for index, (obj, _links) in enumerate(rows) if obj is then_obj), None)
    if then is not None and then_of is None:
        raise ValueError("then's object is not one of the rows")
    params, written = [], []
    for obj, links in rows:
        fields, values = _row_values(obj, connection, linked=links)
        written.append(tuple(f.column for f in fields))
        params += values
    params += then_params
    with connection.cursor() as cursor:
        cursor.execute(_linked_sql(rows, written, then_of, then_sql, connection), params)
        new_ids = cursor.fetchone()
    for (obj, _links), new_id in zip(rows, new_ids, strict=True):
        _inserted(obj, new_id, using)
    for obj, links in rows:
        for attname, earlier in links.items():
            setattr(obj, attname, _linked_value(obj, attname, earlier))
