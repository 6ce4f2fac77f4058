"""Related products: what a product page suggests next, from the same brand or shared tags."""

from django.db.models import Case, Count, F, Q, Value, When

RELATED_PRODUCTS_SHOWN = 4


def related_products(product, tags, limit=RELATED_PRODUCTS_SHOWN):
    """Up to `limit` visible products sharing `product`'s brand or one of its `tags`.

    Best matches first: one point per shared tag and one for the same brand; on a tie the
    product sharing more tags, then the name. `tags` are the product's tags as the page
    already loaded them. Two queries in all (the products with their images, then the
    images' renditions), however many cards there are.
    """
    if product.pk is None:  # a preview of a product not saved yet
        return []
    products = type(product).objects
    tag_ids = [tag.pk for tag in tags]
    matches = Q(pk__in=[])  # a product with neither brand nor tags has no related products
    if product.brand:
        matches |= Q(brand=product.brand)
    if tag_ids:
        # A subquery, so the tag join below counts every shared tag of a brand match too.
        matches |= Q(pk__in=products.filter(tagged_items__tag_id__in=tag_ids).values("pk"))
    same_brand = (
        Case(When(brand=product.brand, then=Value(1)), default=Value(0))
        if product.brand
        else Value(0)
    )
    candidates = (
        products.visible()
        .filter(matches)
        .exclude(pk=product.pk)
        .annotate(
            shared_tags=Count(
                "tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids), distinct=True
            )
            if tag_ids
            else Value(0),
            same_brand=same_brand,
        )
        .annotate(match_score=F("shared_tags") + F("same_brand"))
        .order_by("-match_score", "-shared_tags", "title", "pk")
    )
    return list(candidates.select_related("image")[:limit])
