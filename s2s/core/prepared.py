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
"""

from collections.abc import Callable
from threading import Lock

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import QuerySet
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
        return queryset, params, positions

    def queryset(self, *values, key=None, using: str = DEFAULT_DB_ALIAS) -> QuerySet:
        """Return the queryset for these values: iterate it (not filter or get) to run it."""
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
        queryset = template._chain()
        compiler, sql, _params = template.query.prepared
        queryset.query.prepared = (compiler, sql, tuple(params))
        return queryset

    def first(self, *values, key=None) -> object | None:
        """Return the first row for these values, or None."""
        for row in self.queryset(*values, key=key):
            return row
        return None


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


def _insert_sql(model: type[models.Model], connection) -> tuple[list, str]:
    """Return the fields a new row of `model` writes, and its INSERT ... RETURNING id."""
    key = (model, connection.vendor)
    if key not in _INSERTS:
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        _INSERTS[key] = fields, (
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(model._meta.pk.column)}"
        )
    return _INSERTS[key]


def _insertable(model: type[models.Model], connection) -> bool:
    """Whether `insert_new` may write this model's rows itself (else `save()` does)."""
    return (connection.features.can_return_columns_from_insert
            and not model._meta.parents  # one table, one row
            and isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
            and not pre_save.has_listeners(model) and not post_save.has_listeners(model))


def insert_new(obj: models.Model, *, then: tuple[str, list] | None = None,
               using: str = DEFAULT_DB_ALIAS, from_own_save: bool = False) -> models.Model:
    """Insert the new row `obj` as `save()` would, with an INSERT written once per model.

    Each field's value is prepared as `save()` prepares it (`pre_save`, so `auto_now` fields
    are set, then `get_db_prep_save`), and the new id read back into `obj`. `save()` itself,
    and its signals, run instead for a model this cannot write alone (no RETURNING on the
    database, a parent table, no automatic id, signal receivers). A model with a `save()` of
    its own (Establishment sets its code there) is refused, as skipping it would write a
    wrong row, unless that `save()` is the caller (`from_own_save`: the audit trail's).

    `then` is a statement to run in the same round trip, after the row is in, on PostgreSQL
    only: its SQL reads the new id as `new_row.id` (say, `INSERT ... SELECT new_row.id, ...
    FROM new_row`). Elsewhere it runs as a second statement with `new_row` a one-row table.
    """
    connection = connections[using]
    model = type(obj)
    if model.save is not models.Model.save and not from_own_save:
        raise TypeError(f"{model.__name__} has a save() of its own: call that, not insert_new")
    if not _insertable(model, connection):
        models.Model.save(obj, force_insert=True, using=using)
        new_id = obj.pk
    else:
        fields, sql = _insert_sql(model, connection)
        params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
        if then is not None and connection.vendor == "postgresql":
            sql = f"WITH new_row AS ({sql} AS id), followed AS ({then[0]}) SELECT id FROM new_row"
            params += then[1]
            then = None
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            new_id = cursor.fetchone()[0]
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = using
    if then is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH new_row AS (SELECT %s AS id) {then[0]}", [new_id, *then[1]])
    return obj
