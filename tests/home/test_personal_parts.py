"""Logged-in shoppers and shoppers with a cart get cached pages too: the page is stored once
for everyone, and each visitor's own parts (cart count, name and account links, CSRF token,
the review form, the back-in-stock email) are rendered into it when it is served."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from wagtail.models import PageViewRestriction

from home.shared import page_cache
from tests.factories import (
    make_customer,
    make_order,
    make_placed_order,
    make_product,
    make_review,
    make_seller,
    make_staff_user,
)
from tests.home.test_page_cache import CART_COUNT, CSRF_TOKEN, served_from_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("enabled_page_cache")]

HEADER_USER = re.compile(r'<a class="site-header__user" href="[^"]*">([^<]*)</a>')


def shopper(username, name, cart=None):
    """A logged-in shopper's browser, with `cart` {product: quantity} added through the shop
    (CSRF checks on, as in a real browser)."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_customer(username, name).user)
    for product, quantity in (cart or {}).items():
        page = browser.get(product.url)
        add_to_cart(browser, page, product, quantity)
        browser.get("/cart/")  # where "added to your cart" is shown, and so no longer pending
    return browser


def add_to_cart(browser, page, product, quantity=1):
    token = CSRF_TOKEN.findall(page.content.decode())[-1]  # the add-to-cart form's
    return browser.post(
        "/cart/add/", {"csrfmiddlewaretoken": token, "product": product.pk, "quantity": quantity}
    )


def header(response):
    html = response.content.decode()
    user = HEADER_USER.search(html)
    return CART_COUNT.search(html).group(1), user.group(1) if user else None


def stored_page(url):
    """The page the cache holds for `url`, as stored."""
    request = RequestFactory().get(url)
    _slot, entry = page_cache._lookup(page_cache.normalised_url(request))
    return entry["content"].decode()


def test_logged_in_shoppers_get_the_cached_page_with_their_own_cart_and_name(laptop):
    ada = shopper("ada", "Ada Lovelace", {laptop: 3})
    grace = shopper("grace", "Grace Hopper", {laptop: 1})

    adas_page = ada.get(laptop.url)  # stored by whoever came first, here Ada herself
    graces_page = grace.get(laptop.url)
    anonymous_page = Client().get(laptop.url)

    assert served_from_cache(graces_page) and served_from_cache(anonymous_page)
    assert header(adas_page) == ("3", "ada")
    assert header(graces_page) == ("1", "grace")
    assert header(anonymous_page) == ("0", None)
    assert "ada" not in graces_page.content.decode()
    assert "Log in" in anonymous_page.content.decode()
    assert "Log in" not in graces_page.content.decode()


def test_the_stored_page_holds_nobodys_name_count_or_token(laptop):
    ada = shopper("ada", "Ada Lovelace", {laptop: 3})
    cache.clear()

    first = ada.get(laptop.url)

    assert first.get(page_cache.CACHE_STATUS_HEADER) == "miss"
    stored = stored_page(laptop.url)
    assert "ada" not in stored and "Log out" not in stored and "Log in" not in stored
    assert "cart-count" not in stored
    for token in CSRF_TOKEN.findall(first.content.decode()):
        assert token not in stored
    assert "<!--personal-part" not in first.content.decode()


def test_each_visitor_gets_their_own_csrf_token_that_only_works_for_them(laptop):
    ada = shopper("ada", "Ada Lovelace")
    grace = shopper("grace", "Grace Hopper")
    adas_page = ada.get(laptop.url)
    graces_page = grace.get(laptop.url)

    assert served_from_cache(graces_page)
    assert not set(CSRF_TOKEN.findall(adas_page.content.decode())) & set(
        CSRF_TOKEN.findall(graces_page.content.decode())
    )
    assert add_to_cart(grace, graces_page, laptop).status_code == 302
    assert header(grace.get(laptop.url)) == ("1", "grace")
    # Ada's token is no use to anyone else: the CSRF check refuses it.
    assert add_to_cart(Client(enforce_csrf_checks=True), adas_page, laptop).status_code == 403


def test_a_shoppers_logout_button_works_from_a_cached_page(laptop):
    Client().get(laptop.url)  # stored by an anonymous visitor
    ada = shopper("ada", "Ada Lovelace")

    page = ada.get(laptop.url)
    token = CSRF_TOKEN.findall(page.content.decode())[0]  # the header's log-out form
    logged_out = ada.post("/accounts/logout/", {"csrfmiddlewaretoken": token})

    assert served_from_cache(page)
    assert logged_out.status_code == 302
    assert header(ada.get(laptop.url)) == ("0", None)


def test_the_review_form_is_each_visitors_own_on_a_cached_product_page(laptop):
    buyer = make_customer("ada", "Ada Lovelace")
    make_order(buyer, [laptop])
    make_review(buyer, laptop, rating=4, content="My own words")
    buyers_browser = Client()
    buyers_browser.force_login(buyer.user)
    other = shopper("grace", "Grace Hopper")

    anonymous_page = Client().get(laptop.url).content.decode()
    buyers_page = buyers_browser.get(laptop.url)
    others_page = other.get(laptop.url)

    assert served_from_cache(buyers_page) and served_from_cache(others_page)
    assert "Sign in to review it" in anonymous_page
    assert "Edit your review" in buyers_page.content.decode()
    assert "My own words</textarea>" in buyers_page.content.decode()
    assert "Only customers who have ordered this product" in others_page.content.decode()
    assert "Edit your review" not in others_page.content.decode()


def test_the_back_in_stock_email_is_filled_in_for_the_shopper_only(product_index):
    sold_out = make_product(product_index, "Sold Out Laptop", stock=0)
    Client().get(sold_out.url)  # stored by an anonymous visitor
    ada = shopper("ada", "Ada Lovelace")

    adas_page = ada.get(sold_out.url)
    anonymous_page = Client().get(sold_out.url)

    assert served_from_cache(adas_page) and served_from_cache(anonymous_page)
    assert 'value="ada@example.com"' in adas_page.content.decode()
    assert "ada@example.com" not in anonymous_page.content.decode()


@pytest.mark.parametrize("storage", ["cookie.CookieStorage", "session.SessionStorage"])
def test_a_pending_message_is_shown_on_a_fresh_page_once(settings, laptop, storage):
    settings.MESSAGE_STORAGE = f"django.contrib.messages.storage.{storage}"
    ada = shopper("ada", "Ada Lovelace")
    page = ada.get(laptop.url)
    add_to_cart(ada, page, laptop)  # "added to your cart", not yet shown

    with_message = ada.get(laptop.url)
    after = ada.get(laptop.url)

    assert not served_from_cache(with_message)
    assert "to your cart" in with_message.content.decode()
    assert served_from_cache(after) and "to your cart" not in after.content.decode()


def test_staff_who_may_use_the_admin_never_get_nor_store_a_cached_page(client, laptop):
    Client().get(laptop.url)
    client.force_login(make_staff_user())

    staff_page = client.get(laptop.url)
    Client().get(laptop.url)  # whatever the staff page left in the cache

    assert not served_from_cache(staff_page)
    assert "wagtail-userbar" in staff_page.content.decode()
    assert "wagtail-userbar" not in Client().get(laptop.url).content.decode()


def test_a_page_seen_through_a_login_restriction_is_never_stored(laptop, commit):
    with commit():
        PageViewRestriction.objects.create(page=laptop, restriction_type="login")
    ada = shopper("ada", "Ada Lovelace")

    assert ada.get(laptop.url).status_code == 200
    assert not served_from_cache(ada.get(laptop.url))
    assert Client().get(laptop.url).status_code == 302


def test_a_stored_page_naming_a_part_no_longer_registered_is_rendered_afresh(laptop):
    Client().get(laptop.url)
    slot, entry = page_cache._lookup(page_cache.normalised_url(RequestFactory().get(laptop.url)))
    entry["content"] += b"<!--personal-part retired-part--><!--/personal-part-->"
    page_cache._keep(slot, entry, None)

    page = Client().get(laptop.url)

    assert page.status_code == 200 and not served_from_cache(page)
    assert "Cached Laptop" in page.content.decode()


# Invalidation: what a logged-in shopper sees follows each change on their next request.


def test_a_logged_in_shopper_sees_a_new_price_at_once(laptop, commit):
    ada = shopper("ada", "Ada Lovelace")
    ada.get(laptop.url)

    with commit():
        laptop.price = Decimal("850.00")
        laptop.save_revision().publish()

    assert "$850.00" in ada.get(laptop.url).content.decode()


def test_a_logged_in_shopper_sees_the_last_unit_sold_at_once(laptop, commit):
    ada = shopper("ada", "Ada Lovelace")
    assert "Add to cart" in ada.get(laptop.url).content.decode()

    with commit():
        make_placed_order(make_customer("bob", "Bob Buyer"), (laptop, 5))

    page = ada.get(laptop.url).content.decode()
    assert "Out of stock" in page and "Add to cart" not in page


def test_a_logged_in_shopper_sees_a_new_review_at_once(laptop, commit):
    ada = shopper("ada", "Ada Lovelace")
    ada.get(laptop.url)

    with commit():
        make_review(make_customer("grace", "Grace Hopper"), laptop, content="Lovely keyboard")

    assert "Lovely keyboard" in ada.get(laptop.url).content.decode()


def test_a_logged_in_shopper_sees_a_new_footer_setting_at_once(laptop, commit):
    ada = shopper("ada", "Ada Lovelace")
    ada.get(laptop.url)
    assert served_from_cache(ada.get(laptop.url))

    with commit():
        make_seller(support_email="orders@shop.example")

    assert "orders@shop.example" in ada.get(laptop.url).content.decode()
