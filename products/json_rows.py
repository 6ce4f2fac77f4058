"""Rows of a related table carried in the main query as one JSON array per row, so a product
page reads its tags, variants and gallery with the product itself instead of one query each.

SQLite builds the array with json_group_array, PostgreSQL with jsonb_agg (which keeps
numbers exact), others with the standard JSON_ARRAYAGG. Decimals are read back as Decimal.
"""

import json
from decimal import Decimal

from django.db import models
from django.db.models.functions import JSONArray


class DecimalDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, parse_float=Decimal, **kwargs)


class JSONRows(models.Aggregate):
    """The rows of a group as one JSON array."""

    function = "JSON_ARRAYAGG"
    output_field = models.JSONField(decoder=DecimalDecoder)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def rows_subquery(queryset, parent_field, fields):
    """A subquery for annotating the parent rows of `queryset` (related by `parent_field`)
    with the list of their rows, each a JSON array of `fields`; NULL where there are none."""
    return models.Subquery(
        queryset.filter(**{parent_field: models.OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(rows=JSONRows(JSONArray(*fields)))
        .values("rows")
    )


def instances_from_rows(model, fields, rows, db="default"):
    """Model instances, as if loaded from database `db`, from the JSON rows of `fields`
    (attribute names of concrete fields) that rows_subquery gave."""
    columns = [model._meta.get_field(name) for name in fields]
    instances = []
    for row in rows or []:
        values = [_to_python(field, value) for field, value in zip(columns, row, strict=True)]
        instances.append(model.from_db(db, [f.attname for f in columns], values))
    return instances


def _to_python(field, value):
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


def prefetched(instance, name, related):
    """Hand `related` to `instance` as prefetch_related(name) would (name: a modelcluster
    child relation), so that instance.<name>.all() reads them without a query."""
    queryset = getattr(instance, name).get_live_queryset()
    queryset._result_cache = list(related)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset
