"""The review rules in commerce.reviews: who may review, writing and editing, validation,
the posting throttle, moderation and the rating figures."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from wagtail.models import ModelLogEntry

from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from commerce.reviews.models import REVIEW_MAX_LENGTH, Review, ReviewStatus
from commerce.reviews.rules import (
    REVIEW_POSTS_PER_WINDOW,
    RatingSummary,
    ReviewNotAllowed,
    ReviewThrottled,
    can_review,
    hide_review,
    publish_review,
    rating_summary,
    submit_or_update_review,
)
from tests.factories import make_customer, make_order, make_product, make_review, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_customer_without_any_order_cannot_review(customer, laptop):
    assert not can_review(customer, laptop)
    with pytest.raises(ReviewNotAllowed, match="Only customers who have ordered “Aero 14”"):
        submit_or_update_review(customer, laptop, rating=5, content="Great")
    assert not Review.objects.exists()


def test_product_only_in_the_cart_does_not_make_a_customer_eligible(customer, laptop):
    make_order(customer, [laptop], status=OrderStatus.CART)

    assert not can_review(customer, laptop)
    with pytest.raises(ReviewNotAllowed):
        submit_or_update_review(customer, laptop, rating=5, content="Great")
    assert not Review.objects.exists()


def test_cancelled_order_does_not_make_a_customer_eligible(customer, laptop):
    order = make_order(customer, [laptop])
    submit_or_update_review(customer, laptop, rating=5, content="Love it.")

    change_status(order, OrderStatus.CANCELLED)

    assert not can_review(customer, laptop)
    with pytest.raises(ReviewNotAllowed):
        submit_or_update_review(customer, laptop, rating=4, content="Still love it.")
    assert Review.objects.get().content == "Love it."


def test_cancelling_the_last_order_hides_the_review_and_its_rating(customer, laptop):
    staff = make_staff_user()
    order = make_order(customer, [laptop])
    review, _ = submit_or_update_review(customer, laptop, rating=1, content="Never arrived.")
    make_review(make_customer("grace", "Grace Hopper"), laptop, rating=5)
    assert rating_summary(laptop) == RatingSummary(average=Decimal("3.0"), count=2)

    change_status(order, OrderStatus.CANCELLED, user=staff)

    review.refresh_from_db()
    reason = f"{order} was cancelled, and the customer has no other order of this product."
    assert (review.status, review.hidden_reason, review.hidden_by) == (
        ReviewStatus.HIDDEN, reason, staff
    )
    entry = ModelLogEntry.objects.get(object_id=str(review.pk), action="commerce.review.hide")
    assert entry.data == {"reason": reason}
    assert rating_summary(laptop) == RatingSummary(average=Decimal("5.0"), count=1)


def test_a_review_stays_while_another_order_of_the_product_stands(customer, laptop):
    make_order(customer, [laptop])
    second = make_order(customer, [laptop])
    review, _ = submit_or_update_review(customer, laptop, rating=4, content="Bought two.")

    change_status(second, OrderStatus.CANCELLED)

    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED


@pytest.mark.parametrize(
    "status", [OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED]
)
def test_placed_or_later_order_with_the_product_makes_a_customer_eligible(
    customer, laptop, status
):
    make_order(customer, [laptop], status=status)

    review, created = submit_or_update_review(customer, laptop, rating=4, content="Light.")

    assert created
    assert (review.customer, review.product, review.rating) == (customer, laptop, 4)
    assert review.status == ReviewStatus.PUBLISHED


def test_an_order_for_another_product_does_not_make_a_customer_eligible(
    customer, laptop, product_index
):
    make_order(customer, [make_product(product_index, "Other Book")])
    assert not can_review(customer, laptop)


def test_another_customers_order_does_not_make_a_customer_eligible(customer, laptop):
    make_order(make_customer("grace", "Grace Hopper"), [laptop])
    assert not can_review(customer, laptop)


def test_a_user_without_a_customer_profile_cannot_review(laptop):
    assert not can_review(None, laptop)


def test_submitting_again_edits_the_one_review_instead_of_adding_another(buyer, laptop):
    first, created = submit_or_update_review(buyer, laptop, rating=2, content="Too heavy.")

    second, created_again = submit_or_update_review(
        buyer, laptop, rating=4, content="Lighter than I thought."
    )

    assert created and not created_again
    assert second.pk == first.pk
    assert Review.objects.get().content == "Lighter than I thought."
    assert Review.objects.get().rating == 4


def test_the_database_refuses_a_second_review_of_the_same_product(buyer, laptop):
    make_review(buyer, laptop)
    with pytest.raises(IntegrityError):
        make_review(buyer, laptop)


def test_editing_a_hidden_review_keeps_it_hidden(buyer, laptop):
    review = make_review(buyer, laptop)
    hide_review(review, make_staff_user(), "Mentions a competitor's coupon code")

    edited, _ = submit_or_update_review(buyer, laptop, rating=3, content="Edited text")

    assert edited.status == ReviewStatus.HIDDEN


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_outside_one_to_five_is_refused(buyer, laptop, rating):
    with pytest.raises(ValidationError) as refused:
        submit_or_update_review(buyer, laptop, rating=rating, content="Fine.")
    assert "rating" in refused.value.message_dict
    assert not Review.objects.exists()


def test_the_database_refuses_a_rating_outside_one_to_five(buyer, laptop):
    with pytest.raises(IntegrityError):
        make_review(buyer, laptop, rating=6)


def test_review_text_longer_than_the_limit_is_refused(buyer, laptop):
    with pytest.raises(ValidationError) as refused:
        submit_or_update_review(buyer, laptop, rating=5, content="x" * (REVIEW_MAX_LENGTH + 1))
    assert "content" in refused.value.message_dict
    assert not Review.objects.exists()


def test_the_database_refuses_review_text_over_the_limit(buyer, laptop):
    with pytest.raises(IntegrityError):
        make_review(buyer, laptop, content="x" * (REVIEW_MAX_LENGTH + 1))


def test_review_text_at_the_limit_is_accepted(buyer, laptop):
    review, _ = submit_or_update_review(buyer, laptop, rating=5, content="x" * REVIEW_MAX_LENGTH)
    assert len(review.content) == REVIEW_MAX_LENGTH


def test_empty_review_text_is_refused(buyer, laptop):
    with pytest.raises(ValidationError):
        submit_or_update_review(buyer, laptop, rating=5, content="")


def test_posting_past_the_hourly_limit_is_refused_and_saves_nothing(buyer, laptop):
    for number in range(REVIEW_POSTS_PER_WINDOW):
        submit_or_update_review(buyer, laptop, rating=5, content=f"Edit {number}")

    with pytest.raises(ReviewThrottled, match=f"at most {REVIEW_POSTS_PER_WINDOW} reviews an hour"):
        submit_or_update_review(buyer, laptop, rating=1, content="One edit too many")

    assert Review.objects.get().content == f"Edit {REVIEW_POSTS_PER_WINDOW - 1}"


def test_the_throttle_counts_each_customer_separately(buyer, laptop):
    for _ in range(REVIEW_POSTS_PER_WINDOW):
        submit_or_update_review(buyer, laptop, rating=5, content="Again")
    other = make_customer("grace", "Grace Hopper")
    make_order(other, [laptop])

    review, created = submit_or_update_review(other, laptop, rating=3, content="Mine")

    assert created and review.customer == other


def test_refused_posts_do_not_use_up_the_allowance(buyer, laptop):
    for _ in range(REVIEW_POSTS_PER_WINDOW):
        with pytest.raises(ValidationError):
            submit_or_update_review(buyer, laptop, rating=9, content="Bad rating")

    review, created = submit_or_update_review(buyer, laptop, rating=5, content="Good")

    assert created


def test_rating_summary_averages_published_reviews_only(laptop):
    for username, rating in [("ada", 5), ("grace", 4), ("alan", 4), ("linus", 1)]:
        make_review(make_customer(username, username.title()), laptop, rating=rating)
    troll = Review.objects.get(rating=1)
    hide_review(troll, make_staff_user(), "Abusive")

    summary = rating_summary(laptop)

    assert summary.count == 3
    assert summary.average == Decimal("4.3")  # (5 + 4 + 4) / 3 = 4.33
    assert summary.rounded == 4


def test_rating_summary_rounds_halves_up(laptop):
    make_review(make_customer("ada"), laptop, rating=5)
    make_review(make_customer("grace"), laptop, rating=4)

    summary = rating_summary(laptop)

    assert summary.average == Decimal("4.5")
    assert summary.rounded == 5


def test_rating_summary_without_reviews_has_no_average(laptop):
    summary = rating_summary(laptop)
    assert (summary.average, summary.count, summary.rounded) == (None, 0, 0)


def test_rating_summary_is_one_query(laptop, django_assert_num_queries):
    for username in ["ada", "grace", "alan"]:
        make_review(make_customer(username), laptop, rating=3)
    with django_assert_num_queries(1):
        rating_summary(laptop)


def test_hiding_records_the_staff_member_reason_and_history(buyer, laptop):
    review = make_review(buyer, laptop)
    moderator = make_staff_user()

    hide_review(review, moderator, "Contains a phone number")

    review.refresh_from_db()
    assert review.status == ReviewStatus.HIDDEN
    assert review.hidden_by == moderator
    assert review.hidden_reason == "Contains a phone number"
    entry = ModelLogEntry.objects.for_instance(review).get()
    assert entry.action == "commerce.review.hide"
    assert entry.user == moderator
    assert entry.data == {"reason": "Contains a phone number"}
    assert rating_summary(laptop).count == 0


def test_publishing_again_clears_the_hiding_and_counts_the_rating(buyer, laptop):
    review = make_review(buyer, laptop, rating=2)
    moderator = make_staff_user()
    hide_review(review, moderator, "Checking with the customer")

    publish_review(review, moderator)

    review.refresh_from_db()
    assert (review.status, review.hidden_by, review.hidden_reason) == ("published", None, "")
    actions = list(
        ModelLogEntry.objects.for_instance(review).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["commerce.review.hide", "commerce.review.publish"]
    assert rating_summary(laptop).count == 1


def test_moderation_does_not_change_the_customers_last_edit_time(buyer, laptop):
    review = make_review(buyer, laptop)
    edited_at = review.updated_at

    hide_review(review, make_staff_user(), "Spam")

    review.refresh_from_db()
    assert review.updated_at == edited_at


def test_reviews_are_shown_by_first_name_and_last_initial(laptop):
    assert make_review(make_customer("ada", "Ada King Lovelace"), laptop).author_name == "Ada L."
    assert make_review(make_customer("cher", "Cher"), laptop).author_name == "Cher"
