"""The reviews' part of a product's JSON-LD: the aggregate rating and the newest reviews."""

from commerce.reviews.rules import published_reviews

# How many reviews, newest first, the JSON-LD names (the aggregate counts them all).
REVIEWS_IN_STRUCTURED_DATA = 5


def aggregate_rating_structured_data(summary):
    """The schema.org AggregateRating for a product's JSON-LD, or None without reviews
    (search engines reject a rating with no count)."""
    if not summary.count:
        return None
    return {
        "@type": "AggregateRating",
        "ratingValue": str(summary.average),
        "reviewCount": summary.count,
        "bestRating": 5,
        "worstRating": 1,
    }


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
