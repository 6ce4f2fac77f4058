"""A product's tags as its page shows them, in the order they were added."""

from taggit.models import Tag

from .json_rows import instances_from_rows, rows_subquery

_ROW_FIELDS = ("tag_id", "tag__name", "tag__slug", "pk")


def with_tag_list(products):
    """Annotate each product of the queryset with its tags, in the same query (a JSON array
    per product), for product_tags()."""
    tagged_items = products.model._meta.get_field("tagged_items").related_model
    return products.annotate(
        tag_rows=rows_subquery(tagged_items.objects.all(), "content_object", _ROW_FIELDS)
    )


def product_tags(product):
    """The product's Tags: from with_tag_list() when it was loaded so, else one query (or
    none on a preview, whose tags modelcluster holds in memory)."""
    rows = getattr(product, "tag_rows", None)
    if rows is None and "tag_rows" not in product.__dict__:
        return list(product.tags.all())
    rows = sorted(rows or [], key=lambda row: row[-1])  # the order they were added
    return instances_from_rows(
        Tag, ("id", "name", "slug"), [row[:3] for row in rows], db=product._state.db
    )
