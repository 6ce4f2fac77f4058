"""The schema.org pieces of a product page besides the Product itself (ProductPage.
structured_data): its identifiers from the specs, its individual reviews and its breadcrumb
trail. Every link is on the public address (home/public_address.py)."""

from commerce.reviews import published_reviews
from home.public_address import shop_url

# How many reviews, newest first, the JSON-LD names (the aggregate counts them all).
REVIEWS_IN_STRUCTURED_DATA = 5

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


def newest_reviews(product, reviews_page=None):
    """The product's newest published reviews for the JSON-LD. On the first page of reviews
    they are the ones the page already shows, so no query is made for them."""
    if reviews_page is not None and reviews_page.number == 1:
        return list(reviews_page)[:REVIEWS_IN_STRUCTURED_DATA]
    return list(published_reviews(product)[:REVIEWS_IN_STRUCTURED_DATA])


def review_structured_data(review):
    """A schema.org Review. The json_ld filter escapes what could close the script."""
    return {
        "@type": "Review",
        "author": {"@type": "Person", "name": review.author_name},
        "datePublished": review.created_at.date().isoformat(),
        "reviewBody": review.content,
        "reviewRating": {
            "@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1,
        },
    }


def breadcrumb_trail(page, request=None):
    """[(title, URL)] from the home page down to `page` itself, in one query."""
    if page.pk is None:
        return []
    ancestors = page.get_ancestors().filter(depth__gt=1)
    return [(crumb.title, crumb.get_url(request)) for crumb in [*ancestors, page]]


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
