"""Verified-purchase product reviews: who may review, writing and editing, the posting
throttle, staff moderation and a product's rating figures.

Views, the product page and the Wagtail admin all go through these functions, so each rule is
written once.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Avg, Count, Window
from django.urls import reverse
from wagtail.log_actions import log

from commerce.customers.accounts import customer_for
from commerce.orders.models import OrderItem, placed_q
from commerce.reviews.forms import ReviewForm
from commerce.reviews.models import Review, ReviewStatus
from home.shared.rate_limits import count_within_window

REVIEWS_PER_PAGE = 10
# Writing or editing a review counts as a post. Five an hour is plenty for a person and
# stops a script (or a stuck button) flooding a product page.
REVIEW_POSTS_PER_WINDOW = 5
REVIEW_POST_WINDOW_SECONDS = 60 * 60

LOG_ACTION_HIDE = "commerce.review.hide"
LOG_ACTION_PUBLISH = "commerce.review.publish"

# Characters that could close a script element, written as JSON escapes (as json_script does).


class ReviewRefused(Exception):
    """A review was not saved; the message is written for the customer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ReviewNotAllowed(ReviewRefused):
    """The user has no placed order containing the product."""


class ReviewThrottled(ReviewRefused):
    """The customer has posted too many reviews in the current window."""


@dataclass(frozen=True)
class RatingSummary:
    """A product's published rating figures; average is None when there are no reviews."""

    average: Decimal | None
    count: int

    @property
    def rounded(self):
        """The average to the nearest whole star, for drawing stars."""
        if self.average is None:
            return 0
        return int(self.average.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def can_review(customer, product):
    """Whether the customer has a placed (or paid, shipped, completed) order containing the
    product. Carts and cancelled orders do not count."""
    if customer is None:
        return False
    return OrderItem.objects.filter(
        placed_q(via="order__"), order__customer=customer, product=product
    ).exists()


def ensure_can_review(customer, product):
    """Raise ReviewNotAllowed unless can_review(customer, product)."""
    if not can_review(customer, product):
        raise ReviewNotAllowed(
            f"Only customers who have ordered “{product.title}” can review it. "
            "Nothing was saved."
        )


def review_by(customer, product):
    """The customer's own review of the product (in any status), or None."""
    if customer is None:
        return None
    return Review.objects.filter(customer=customer, product=product).first()


def submit_or_update_review(customer, product, rating, content):
    """Save the customer's review of the product, creating it or editing their earlier one.

    Returns (review, created). Raises ReviewNotAllowed if the customer has not ordered the
    product, django.core.exceptions.ValidationError for a bad rating or an overlong text, and
    ReviewThrottled past the posting limit; in each case nothing is saved. Editing keeps the
    moderation status: a hidden review stays hidden until staff publish it again.
    """
    ensure_can_review(customer, product)
    Review(customer=customer, product=product, rating=rating, content=content).full_clean(
        validate_unique=False, validate_constraints=False
    )
    _count_review_post(customer)
    return Review.objects.update_or_create(
        customer=customer, product=product, defaults={"rating": rating, "content": content}
    )


def _count_review_post(customer):
    """Count a post against the customer's allowance; raise ReviewThrottled past it."""
    posts = count_within_window(f"reviews:posts:{customer.pk}", REVIEW_POST_WINDOW_SECONDS)
    if posts > REVIEW_POSTS_PER_WINDOW:
        raise ReviewThrottled(
            f"You can post at most {REVIEW_POSTS_PER_WINDOW} reviews an hour. "
            "Your review was not saved; please try again later."
        )


def hide_review(review, staff_user, reason):
    """Take a review off the site and out of the product's rating, recording who and why."""
    with transaction.atomic():
        review.status = ReviewStatus.HIDDEN
        review.hidden_by = staff_user
        review.hidden_reason = reason
        # updated_at stays the customer's last edit, not the moderator's.
        review.save(update_fields=["status", "hidden_by", "hidden_reason"])
        log(review, LOG_ACTION_HIDE, user=staff_user, data={"reason": reason})


def hide_reviews_no_longer_backed(order, user=None):
    """Hide the customer's published reviews of products that `order`, just cancelled, was
    their last placed order of: they no longer bought them, so their rating stops counting.
    The reason is recorded as for staff moderation, with `user` (who cancelled) as hider.
    Call in the cancellation's transaction, after the order's status is saved.
    """
    if order.customer_id is None:
        return  # a guest writes no reviews
    still_bought = OrderItem.objects.filter(
        placed_q(via="order__"), order__customer=order.customer_id
    ).values("product")
    reviews = Review.objects.filter(
        customer=order.customer_id,
        product__in=order.items.values("product"),
        status=ReviewStatus.PUBLISHED,
    ).exclude(product__in=still_bought)
    reason = f"{order} was cancelled, and the customer has no other order of this product."
    for review in reviews.select_for_update():
        hide_review(review, user, reason)


def publish_review(review, staff_user):
    """Show a hidden review on the site again and count it in the rating."""
    with transaction.atomic():
        review.status = ReviewStatus.PUBLISHED
        review.hidden_by = None
        review.hidden_reason = ""
        review.save(update_fields=["status", "hidden_by", "hidden_reason"])
        log(review, LOG_ACTION_PUBLISH, user=staff_user)


def published_reviews(product):
    """The product's published reviews, newest first, with their authors."""
    return (
        Review.objects.filter(product=product, status=ReviewStatus.PUBLISHED)
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )


def _one_decimal(average):
    if average is None:
        return None
    return Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rating_summary(product):
    """Average rating (one decimal place) and count of the product's published reviews,
    in one aggregate query."""
    figures = Review.objects.filter(product=product, status=ReviewStatus.PUBLISHED).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    return RatingSummary(average=_one_decimal(figures["average"]), count=figures["count"])


def reviews_page_with_summary(product, page_number):
    """(page of published reviews, RatingSummary) in one query: the page's rows carry the
    count and average of all the product's published reviews (window functions). A page
    number past the last page (or not a number) is answered as Paginator.get_page() would,
    with two more queries."""
    paginator = Paginator(published_reviews(product), REVIEWS_PER_PAGE)
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        start = (number - 1) * REVIEWS_PER_PAGE
        rows = list(
            published_reviews(product).annotate(
                total=Window(Count("pk")), average=Window(Avg("rating"))
            )[start:start + REVIEWS_PER_PAGE]
        )
        if rows or number == 1:
            total = rows[0].total if rows else 0
            average = rows[0].average if rows else None
            paginator.count = total  # known from the rows: Paginator need not count
            return Page(rows, number, paginator), RatingSummary(_one_decimal(average), total)
    return paginator.get_page(page_number), rating_summary(product)


def product_review_context(request, product):
    """Template context for the reviews section of a product page: one query however many
    reviews there are (the page of reviews with their authors and the rating figures). The
    review form is a personal part of the page (review_form_state)."""
    if product.pk is None:
        # A new product previewed in the editor: it cannot have reviews or orders yet.
        return {"rating_summary": RatingSummary(average=None, count=0)}
    reviews, summary = reviews_page_with_summary(product, request.GET.get("reviews_page"))
    return {"rating_summary": summary, "reviews": reviews}


def review_form_state(request, product_id):
    """Whether this visitor may review the product (by id), their own review and the form:
    rendered for each visitor, also into the cached product page."""
    customer = customer_for(request.user)
    own_review = review_by(customer, product_id)
    eligible = can_review(customer, product_id)
    return {
        "own_review": own_review,
        "can_review": eligible,
        "review_form": ReviewForm(instance=own_review) if eligible else None,
        "review_url": reverse("reviews:write", args=[product_id]),
    }
