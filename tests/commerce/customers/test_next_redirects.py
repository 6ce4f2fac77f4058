"""Every view that reads `next` sends the visitor back there only when it is a path or URL on
the shop's own host; anything else (a scanner's payload, a word) means the default page."""

import pytest
from django.urls import reverse

from tests.factories import SIGN_UP, make_customer, make_review, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

NOT_OURS = ["abc", "*", "0", "javascript:alert(1)", "//evil.example", "https://evil.example/"]


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer.user)
    return client


def review_hide_url(laptop):
    review = make_review(make_customer("alan"), laptop)
    return reverse("wagtailsnippets_commerce_review:hide", args=[review.pk])


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_refused_add_to_cart_goes_back_to_the_cart(client, laptop, next_url):
    response = client.post(
        "/cart/add/", {"product": laptop.pk, "quantity": "lots", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/cart/"


@pytest.mark.parametrize("next_url", NOT_OURS)
@pytest.mark.parametrize("action", ["update", "remove"])
def test_cart_changes_go_back_to_the_cart_whatever_next_says(client, laptop, action, next_url):
    response = client.post(
        f"/cart/{action}/", {"product": laptop.pk, "quantity": "x", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/cart/"


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_sign_up_page_sends_a_signed_in_customer_home(signed_in, next_url):
    response = signed_in.get("/accounts/signup/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_signing_up_goes_to_the_home_page(client, next_url):
    response = client.post("/accounts/signup/", {**SIGN_UP, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_logging_in_goes_to_the_home_page(client, customer, next_url):
    response = client.post(
        "/accounts/login/", {"username": "ada", "password": "shop-test-pass", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_log_in_page_does_not_carry_the_next_value_along(client, next_url):
    html = client.get("/accounts/login/", {"next": next_url}).content.decode()

    assert 'name="next"' not in html


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_logging_out_goes_to_the_home_page(signed_in, next_url):
    response = signed_in.post("/accounts/logout/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", NOT_OURS)
def test_hiding_a_review_goes_back_to_the_review_list(client, laptop, next_url):
    client.force_login(make_staff_user("moderator"))

    response = client.post(
        f"{review_hide_url(laptop)}?next={next_url}", {"reason": "Off topic"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailsnippets_commerce_review:list")


def test_a_path_on_the_shop_is_followed(client, customer, laptop):
    logged_in = client.post(
        "/accounts/login/",
        {"username": "ada", "password": "shop-test-pass", "next": "/accounts/orders/"},
    )
    refused = client.post("/cart/add/", {"product": laptop.pk, "quantity": "x", "next": "/shop/"})
    full_url = client.get("/accounts/signup/", {"next": "http://testserver/cart/"})

    assert logged_in["Location"] == "/accounts/orders/"
    assert refused["Location"] == "/shop/"
    assert full_url["Location"] == "http://testserver/cart/"
