"""Reviews as shoppers see them: the product page's reviews section and the review form."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce.orders.models import OrderStatus
from commerce.reviews.models import REVIEW_MAX_LENGTH, Review
from commerce.reviews.rules import (
    REVIEW_POSTS_PER_WINDOW,
    REVIEWS_PER_PAGE,
    RatingSummary,
    hide_review,
    product_review_context,
)
from products.models import ProductPage
from tests.factories import make_customer, make_order, make_product, make_review, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer.user)
    return client


def write_url(product):
    return reverse("reviews:write", args=[product.pk])


def reviews_by_other_customers(product, count, start=0):
    """count published reviews, the later-numbered ones newer."""
    now = timezone.now()
    reviews = []
    for number in range(start, start + count):
        review = make_review(
            make_customer(f"shopper{number}", f"Shopper{number} Smith"),
            product,
            rating=number % 5 + 1,
            content=f"Review number {number}",
        )
        Review.objects.filter(pk=review.pk).update(created_at=now + timedelta(minutes=number))
        reviews.append(review)
    return reviews


def test_product_page_shows_average_count_and_published_reviews(client, laptop):
    make_review(make_customer("grace", "Grace Hopper"), laptop, rating=5, content="Fast")
    make_review(make_customer("alan", "Alan Turing"), laptop, rating=4, content="Quiet fans")
    hidden = make_review(make_customer("troll", "T Roll"), laptop, rating=1, content="Rubbish!!")
    hide_review(hidden, make_staff_user(), "Abusive")

    html = client.get(laptop.url).content.decode()

    assert "<strong>4.5</strong> out of 5" in html
    assert "from 2 reviews" in html
    assert 'aria-label="4.5 out of 5 stars"' in html
    assert "Grace H." in html and "Quiet fans" in html
    assert "Rubbish!!" not in html


def test_product_without_reviews_says_so(client, laptop):
    html = client.get(laptop.url).content.decode()
    assert "No reviews yet." in html


def test_reviews_are_listed_newest_first_and_paginated(client, laptop):
    reviews_by_other_customers(laptop, REVIEWS_PER_PAGE + 2)
    newest = REVIEWS_PER_PAGE + 1

    first_page = client.get(laptop.url).content.decode()
    second_page = client.get(laptop.url, {"reviews_page": 2}).content.decode()

    assert first_page.index(f"Review number {newest}<") < first_page.index(
        f"Review number {newest - 1}<"
    )
    assert "Review number 0<" not in first_page
    assert "Review number 0<" in second_page and "Review number 1<" in second_page
    assert f"Review number {newest}<" not in second_page
    assert "reviews_page=2#reviews" in first_page


def test_anonymous_visitor_is_invited_to_sign_in_and_gets_no_form(client, laptop):
    html = client.get(laptop.url).content.decode()
    assert f'<a href="{write_url(laptop)}">Sign in to review it</a>' in html
    assert 'name="content"' not in html


def test_customer_without_an_order_is_told_why_there_is_no_form(client, customer, laptop):
    client.force_login(customer.user)
    html = client.get(laptop.url).content.decode()
    assert "Only customers who have ordered this product can review it." in html
    assert 'name="content"' not in html


def test_customer_with_the_product_only_in_the_cart_gets_no_form(client, customer, laptop):
    make_order(customer, [laptop], status=OrderStatus.CART)
    client.force_login(customer.user)
    html = client.get(laptop.url).content.decode()
    assert 'name="content"' not in html


def test_buyer_sees_a_labelled_review_form(buyer_client, laptop):
    html = buyer_client.get(laptop.url).content.decode()
    assert "Review this product" in html
    assert f'action="{write_url(laptop)}"' in html
    assert "csrfmiddlewaretoken" in html
    assert re.search(r"<legend[^>]*>Your rating", html)
    assert '<label for="id_content">Your review' in html
    assert f'maxlength="{REVIEW_MAX_LENGTH}"' in html


def test_buyer_posts_a_review_and_sees_it_on_the_product_page(buyer_client, buyer, laptop):
    response = buyer_client.post(
        write_url(laptop), {"rating": "4", "content": "Battery lasts all day."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{laptop.url}#reviews"
    review = Review.objects.get()
    assert (review.customer, review.rating, review.content) == (buyer, 4, "Battery lasts all day.")
    html = buyer_client.get(laptop.url).content.decode()
    assert "Thank you, your review is published." in html
    assert "Battery lasts all day." in html
    assert "Edit your review" in html


def test_buyer_edits_their_review_instead_of_adding_a_second(buyer_client, buyer, laptop):
    make_review(buyer, laptop, rating=2, content="First impressions")
    assert "First impressions</textarea>" in buyer_client.get(laptop.url).content.decode()

    response = buyer_client.post(write_url(laptop), {"rating": "5", "content": "Grew on me"})

    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.content) == (5, "Grew on me")
    assert "Your review is updated." in buyer_client.get(laptop.url).content.decode()


def test_customer_who_did_not_order_is_refused_and_nothing_is_saved(client, customer, laptop):
    client.force_login(customer.user)

    response = client.post(write_url(laptop), {"rating": "5", "content": "Never used it"})

    assert response.status_code == 403
    assert "Only customers who have ordered “Aero 14” can review it." in response.content.decode()
    assert not Review.objects.exists()


def test_customer_with_a_cart_only_is_refused_and_nothing_is_saved(client, customer, laptop):
    make_order(customer, [laptop], status=OrderStatus.CART)
    client.force_login(customer.user)

    response = client.post(write_url(laptop), {"rating": "5", "content": "In my cart"})

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_staff_account_without_a_customer_profile_is_refused(client, laptop):
    client.force_login(make_staff_user())
    response = client.post(write_url(laptop), {"rating": "5", "content": "Staff pick"})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_anonymous_post_is_sent_to_sign_in_and_nothing_is_saved(client, laptop):
    response = client.post(write_url(laptop), {"rating": "5", "content": "Drive-by"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Review.objects.exists()


def test_review_form_page_shows_the_form_to_a_buyer(buyer_client, laptop):
    response = buyer_client.get(write_url(laptop))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Review “Aero 14”" in html
    assert 'name="content"' in html


def test_reviewing_an_unpublished_product_is_not_found(buyer_client, laptop):
    laptop.unpublish()
    response = buyer_client.post(write_url(laptop), {"rating": "5", "content": "Hidden"})
    assert response.status_code == 404
    assert not Review.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_invalid_rating_re_renders_the_form_keeping_the_text(buyer_client, laptop, rating):
    response = buyer_client.post(write_url(laptop), {"rating": rating, "content": "Keep me"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist' in html
    assert "Keep me</textarea>" in html
    assert not Review.objects.exists()


def test_overlong_review_is_refused_with_the_limit_in_the_message(buyer_client, laptop):
    response = buyer_client.post(
        write_url(laptop), {"rating": "3", "content": "y" * (REVIEW_MAX_LENGTH + 1)}
    )

    assert response.status_code == 200
    assert f"at most {REVIEW_MAX_LENGTH} characters" in response.content.decode()
    assert not Review.objects.exists()


def test_line_breaks_count_once_against_the_length_limit(buyer_client, laptop):
    text = "line\r\n" * (REVIEW_MAX_LENGTH // 5)  # REVIEW_MAX_LENGTH characters as typed

    response = buyer_client.post(write_url(laptop), {"rating": "3", "content": text})

    assert response.status_code == 302
    assert Review.objects.get().content == text.replace("\r\n", "\n").strip()


def test_posting_too_often_is_refused_with_a_clear_message_keeping_the_text(
    buyer_client, laptop
):
    for number in range(REVIEW_POSTS_PER_WINDOW):
        buyer_client.post(write_url(laptop), {"rating": "5", "content": f"Version {number}"})

    response = buyer_client.post(write_url(laptop), {"rating": "1", "content": "Final say"})

    html = response.content.decode()
    assert response.status_code == 429
    assert f"You can post at most {REVIEW_POSTS_PER_WINDOW} reviews an hour" in html
    assert "Final say</textarea>" in html
    assert Review.objects.get().content == f"Version {REVIEW_POSTS_PER_WINDOW - 1}"


def test_posting_without_a_csrf_token_is_refused(buyer, laptop):
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer.user)

    response = client.post(write_url(laptop), {"rating": "5", "content": "Forged"})

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_html_in_a_review_is_shown_as_text(buyer_client, laptop):
    payload = '<script>alert("owned")</script><b>bold</b>'
    buyer_client.post(write_url(laptop), {"rating": "5", "content": payload})

    html = buyer_client.get(laptop.url).content.decode()

    assert Review.objects.get().content == payload
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<script>alert("owned")' not in html
    assert "<b>bold</b>" not in html


def test_html_in_a_customers_name_is_shown_as_text(client, laptop):
    make_review(make_customer("mallory", "<i>Mallory</i> X"), laptop)
    html = client.get(laptop.url).content.decode()
    assert "&lt;i&gt;Mallory&lt;/i&gt; X." in html


def test_line_breaks_in_a_review_are_kept(client, laptop):
    make_review(make_customer("grace"), laptop, content="Pros: light\nCons: glossy screen")
    html = client.get(laptop.url).content.decode()
    assert "Pros: light<br>Cons: glossy screen" in html


def test_hidden_review_is_off_the_page_and_out_of_the_average_at_once(client, laptop):
    make_review(make_customer("grace"), laptop, rating=5, content="Superb")
    spam = make_review(make_customer("spammer"), laptop, rating=1, content="Buy cheap watches")
    assert "from 2 reviews" in client.get(laptop.url).content.decode()

    hide_review(spam, make_staff_user(), "Spam")

    html = client.get(laptop.url).content.decode()
    assert "Buy cheap watches" not in html
    assert "<strong>5.0</strong> out of 5" in html
    assert "from 1 review\n" in html


def test_author_of_a_hidden_review_is_told_it_is_hidden(buyer_client, buyer, laptop):
    hide_review(make_review(buyer, laptop), make_staff_user(), "Spam")
    html = buyer_client.get(laptop.url).content.decode()
    assert "Our staff have hidden your review" in html


def test_a_new_product_can_be_previewed_before_it_is_saved(rf, product_index):
    unsaved = ProductPage(title="Prototype", slug="prototype", price="10.00")
    request = rf.get("/")
    request.user = make_staff_user()

    response = unsaved.serve_preview(request, unsaved.default_preview_mode)

    assert "No reviews yet." in response.render().content.decode()


def json_ld_scripts(html):
    return [
        json.loads(text)
        for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_search_engines_get_the_published_rating_as_aggregate_rating(client, laptop):
    make_review(make_customer("grace"), laptop, rating=5)
    make_review(make_customer("alan"), laptop, rating=4)
    hide_review(make_review(make_customer("troll"), laptop, rating=1), make_staff_user(), "Spam")

    scripts = json_ld_scripts(client.get(laptop.url).content.decode())
    [product] = [data for data in scripts if data["@type"] == "Product"]

    assert product["@type"] == "Product"
    assert product["name"] == "Aero 14"
    assert product["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.5",
        "reviewCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_no_aggregate_rating_is_published_without_reviews(client, laptop):
    html = client.get(laptop.url).content.decode()
    assert not any("aggregateRating" in data for data in json_ld_scripts(html))


def test_a_product_name_cannot_close_the_json_ld_script(client, product_index):
    product = make_product(product_index, "</script><script>alert(1)</script>", slug="tricky")
    make_review(make_customer("grace"), product, rating=5)

    html = client.get(product.url).content.decode()

    assert "<script>alert(1)" not in html
    [data] = [d for d in json_ld_scripts(html) if "aggregateRating" in d]
    assert data["name"] == "</script><script>alert(1)</script>"


def count_product_page_queries(client, product):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(product.url)
    assert response.status_code == 200
    return len(queries)


def test_product_page_queries_do_not_grow_with_the_number_of_reviews(
    buyer_client, laptop, django_assert_max_num_queries
):
    reviews_by_other_customers(laptop, 3)
    queries_with_3_reviews = count_product_page_queries(buyer_client, laptop)

    reviews_by_other_customers(laptop, 27, start=3)
    with django_assert_max_num_queries(queries_with_3_reviews):
        html = buyer_client.get(laptop.url).content.decode()

    assert html.count('class="review"') == REVIEWS_PER_PAGE
    assert "from 30 reviews" in html


def reviews_block(product, **params):
    request = RequestFactory().get("/", params)
    request.user = AnonymousUser()
    return product_review_context(request, product)


@pytest.mark.parametrize("count", [0, REVIEWS_PER_PAGE + 2])
def test_a_visitors_reviews_block_costs_one_query(laptop, count, django_assert_num_queries):
    reviews_by_other_customers(laptop, count)

    with django_assert_num_queries(1):
        block = reviews_block(laptop)
        shown = [review.content for review in block["reviews"]]

    assert block["rating_summary"].count == count
    assert len(shown) == min(count, REVIEWS_PER_PAGE)


def test_the_second_page_of_reviews_carries_the_rating_of_all_of_them(laptop):
    reviews_by_other_customers(laptop, REVIEWS_PER_PAGE + 2)  # ratings 1, 2, 3, 4, 5, 1, ...

    block = reviews_block(laptop, reviews_page=2)

    assert [review.content for review in block["reviews"]] == [
        "Review number 1", "Review number 0"
    ]
    assert block["rating_summary"] == RatingSummary(Decimal("2.8"), REVIEWS_PER_PAGE + 2)
    assert block["reviews"].paginator.num_pages == 2


@pytest.mark.parametrize("asked", ["9", "0", "many"])
def test_a_reviews_page_out_of_range_shows_the_nearest_page(laptop, asked):
    reviews_by_other_customers(laptop, REVIEWS_PER_PAGE + 2)

    block = reviews_block(laptop, reviews_page=asked)

    expected_page = 1 if asked == "many" else 2
    assert block["reviews"].number == expected_page
    assert block["rating_summary"].count == REVIEWS_PER_PAGE + 2
