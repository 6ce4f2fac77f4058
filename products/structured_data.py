"""The schema.org pieces of a product page besides the Product itself (ProductPage.
structured_data): its identifiers from the specs and its breadcrumb trail (the reviews are
added by commerce, commerce/reviews/structured_data.py). Every link is on the public address
(home/shared/public_address.py)."""

from home.shared.public_address import shop_url

# Spec rows ("feature" blocks) whose label names a product identifier, by schema.org property.
IDENTIFIER_LABELS = {
    "mpn": {"mpn", "part number", "manufacturer part number"},
    "gtin": {"gtin", "ean", "upc", "barcode"},
}


def identifiers_from_specs(spec_rows):
    """{"mpn": ..., "gtin": ...} for the spec rows labelled as such (first one wins)."""
    found = {}
    for label, value in spec_rows:
        for prop, labels in IDENTIFIER_LABELS.items():
            if label.strip().lower() in labels and value and prop not in found:
                found[prop] = value
    return found


def breadcrumb_trail(page, request=None):
    """[(title, URL)] from the home page down to `page` itself: no query for a page that
    routing reached (it knows its parents), else one."""
    if page.pk is None:
        return []
    ancestors = _routed_ancestors(page)
    if ancestors is None:
        ancestors = page.get_ancestors().filter(depth__gt=1)
    return [(crumb.title, crumb.get_url(request)) for crumb in [*ancestors, page]]


def _routed_ancestors(page):
    """The ancestors below the tree's root that Wagtail's routing handed each page of the
    URL as its parent, or None where one is missing."""
    ancestors = []
    while page.depth > 2:
        page = page.__dict__.get("_cached_parent_obj")
        if page is None:
            return None
        ancestors.insert(0, page)
    return ancestors


def breadcrumb_structured_data(trail):
    """A schema.org BreadcrumbList of a breadcrumb trail, or None for a trail of one."""
    if len(trail) < 2:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": title, "item": shop_url(url)}
            for position, (title, url) in enumerate(trail, start=1)
        ],
    }
