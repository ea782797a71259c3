"""The policy's scope rules, each a Q written once: a database filter and a test of one object.

A rule is a `Q` of plain lookups on a model's fields: `exact` (the default), `in` and
`isnull`, along forward relations (`source_establishment__la_id=838`), combined with `&`, `|`
and `~`. `as_filter` gives the database the same Q with each path through a relation turned
into a subquery (`source_establishment__in=<the establishments of LA 838>`), so a scoped
queryset joins nothing and can lock its rows (`select_for_update`). `holds` answers the same Q
for one object in Python, reading the object's own fields and its related objects (cached
once fetched, none when `select_related`), so `can` on an object asks the database nothing a
list page has not fetched already. A path through an empty relation matches nothing, as the
subquery does. Anything else in a rule (a queryset value, another lookup, a reverse relation)
is refused with `TypeError` rather than answered differently by the two.
"""

from django.db.models import Model, Q

LOOKUPS = ("exact", "in", "isnull")


def _split(lookup: str) -> tuple[list[str], str]:
    parts = lookup.split("__")
    if len(parts) > 1 and parts[-1] in LOOKUPS:
        return parts[:-1], parts[-1]
    return parts, "exact"


def _relation(model, name: str):
    """Return the model a forward relation `name` of `model` leads to, refusing anything else."""
    field = model._meta.get_field(name)
    if not (field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete):
        raise TypeError(f"A scope rule may only follow forward relations, not {name!r}")
    return field.related_model


def _check_value(lookup: str, kind: str, value) -> None:
    if kind == "in" and not isinstance(value, list | tuple | set | frozenset):
        raise TypeError(f"A scope rule's {lookup!r} takes a list of values, not {value!r}")
    if kind != "in" and (hasattr(value, "resolve_expression") or isinstance(value, Model)):
        raise TypeError(f"A scope rule's {lookup!r} takes a plain value, not {value!r}")


def as_filter(model, condition: Q) -> Q:
    """Return the condition for the database, each path through a relation as a subquery."""
    result = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(as_filter(model, child))
            continue
        lookup, value = child
        path, kind = _split(lookup)
        _check_value(lookup, kind, value)
        if len(path) == 1:
            result.children.append(child)
            continue
        related = _relation(model, path[0])
        inner = as_filter(related, Q(("__".join([*path[1:], kind]), value)))
        result.children.append((f"{path[0]}__in", related._default_manager.filter(inner)
                                .values("pk")))
    return result


def _read(obj: Model, path: list[str]):
    """Return (True, value) at the end of the path, or (False, None) past an empty relation."""
    for name in path[:-1]:
        _relation(type(obj), name)
        obj = getattr(obj, name)
        if obj is None:
            return False, None
    name = path[-1]
    if name == "pk":
        return True, obj.pk
    field = obj._meta.get_field(name)
    if field.is_relation and not field.concrete:
        raise TypeError(f"A scope rule may only follow forward relations, not {name!r}")
    return True, getattr(obj, field.attname)


def _lookup_holds(obj: Model, lookup: str, value) -> bool:
    path, kind = _split(lookup)
    _check_value(lookup, kind, value)
    reached, found = _read(obj, path)
    if not reached:
        return False
    if kind == "exact" and value is None:
        kind, value = "isnull", True  # as Django reads `field=None`
    if kind == "isnull":
        return (found is None) == bool(value)
    if found is None:
        return False  # NULL equals nothing in SQL, and is in no list
    if kind == "in":
        return found in value
    return found == value


def holds(obj: Model, condition: Q) -> bool:
    """Return whether the object meets the condition, answered in Python as the database would."""
    answers = (
        holds(obj, child) if isinstance(child, Q) else _lookup_holds(obj, *child)
        for child in condition.children
    )
    met = any(answers) if condition.connector == Q.OR else all(answers)
    return not met if condition.negated else met
