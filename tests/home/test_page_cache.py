"""The page cache: what is served from it, what never is, and what clears it (the personal
parts of cached pages: test_personal_parts.py)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.images.rect import Rect
from wagtail.models import PageViewRestriction, Site

from commerce.orders.stock import release_stock
from commerce.promotions.models import BulkDiscountSettings, Voucher
from commerce.reviews.rules import hide_review, publish_review
from config.env import cache_config
from home.models import HomePageFeaturedProduct
from home.shared import page_cache
from products.ledger import StockReason
from products.models import ProductPage
from products.stock import sync_products
from tests.factories import (
    edit_url,
    make_image,
    make_placed_order,
    make_product,
    make_product_index,
    make_review,
    make_staff_user,
    open_editor,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("enabled_page_cache")]

HIT = page_cache.CACHE_STATUS_HEADER
CSRF_TOKEN = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")([^"]+)')
CART_COUNT = re.compile(r'<span class="cart-count">(\d+)</span>')


def served_from_cache(response):
    return response.get(HIT) == "hit"


def without_csrf_tokens(response):
    """The page as every visitor sees it: only the CSRF token is each visitor's own."""
    return CSRF_TOKEN.sub("", response.content.decode())


def listing_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/shop/").status_code == 200
    return len(queries.captured_queries)


def publish(page, **fields):
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


def test_storing_a_page_costs_no_query_beyond_rendering_it(client, settings, laptop):
    """When a stored page must go (the next sale or public code starting or ending) is held
    like the other fixed lookups, also once the page is rendered and the request's own
    lookups are let go."""
    soon = timezone.now() + timedelta(days=1)
    ProductPage.objects.filter(pk=laptop.pk).update(
        sale_price=Decimal("900.00"), sale_starts_at=soon, sale_ends_at=soon + timedelta(days=1)
    )
    sync_products([laptop.pk])
    Voucher.objects.create(code="SOON", value=Decimal("10"), public=True, starts_at=soon)
    client.get(laptop.url)  # makes the renditions and holds the lookups
    settings.PAGE_CACHE_ENABLED = False
    with CaptureQueriesContext(connection) as rendered:
        client.get(laptop.url)
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()

    with CaptureQueriesContext(connection) as stored:
        response = client.get(laptop.url)

    assert response.get(HIT) == "miss"
    assert len(stored) == len(rendered)


def test_second_anonymous_visit_to_a_product_is_served_from_the_cache_without_queries(
    client, laptop, django_assert_num_queries
):
    first = client.get(laptop.url)

    with django_assert_num_queries(0):
        second = client.get(laptop.url)

    assert first.status_code == second.status_code == 200
    assert not served_from_cache(first)
    assert served_from_cache(second)
    assert without_csrf_tokens(second) == without_csrf_tokens(first)


@pytest.mark.parametrize("url", ["/", "/shop/", "/search/?query=laptop"])
def test_home_listing_and_search_are_cached_for_anonymous_visitors(client, laptop, url):
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == 200
    assert served_from_cache(second)
    assert without_csrf_tokens(second) == without_csrf_tokens(first)


def test_each_page_of_the_listing_has_its_own_cache_entry(client, product_index):
    for number in range(30):
        make_product(product_index, f"Laptop {number:02}")
    client.get("/shop/")

    second_page = client.get("/shop/?page=2")

    assert not served_from_cache(second_page)
    assert "Laptop 29" in second_page.content.decode()
    assert "Laptop 29" not in client.get("/shop/").content.decode()


def test_the_same_filters_in_another_order_share_one_cache_entry(client, laptop):
    client.get("/shop/?page=1&sort=name")
    assert served_from_cache(client.get("/shop/?sort=name&page=1"))
    assert not served_from_cache(client.get("/shop/?sort=price&page=1"))


def test_each_visitor_of_a_cached_product_page_gets_a_csrf_token_that_adds_to_their_cart(
    laptop,
):
    Client(enforce_csrf_checks=True).get(laptop.url)  # the first visitor's page is stored
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(laptop.url)
    token = CSRF_TOKEN.search(page.content.decode()).group(1)
    added = visitor.post(
        "/cart/add/", {"csrfmiddlewaretoken": token, "product": laptop.pk, "quantity": 1}
    )

    assert served_from_cache(page)
    assert page_cache.CSRF_PLACEHOLDER.decode() not in page.content.decode()
    assert added.status_code == 302
    assert added["Location"] == "/cart/"


def test_the_header_cart_count_is_each_visitors_own(client, laptop):
    client.get(laptop.url)  # stored, showing an empty cart
    shopper = Client()
    shopper.post("/cart/add/", {"product": laptop.pk, "quantity": 2})

    shoppers_page = shopper.get(laptop.url)
    newcomers_page = Client().get(laptop.url)

    assert CART_COUNT.search(shoppers_page.content.decode()).group(1) == "2"
    assert served_from_cache(newcomers_page)
    assert CART_COUNT.search(newcomers_page.content.decode()).group(1) == "0"


def test_logged_in_shoppers_reuse_the_listings_facet_counts_until_the_catalogue_changes(
    client, settings, product_index, customer, commit
):
    make_product(product_index, "Budget Laptop", price="500.00", tags=["student"])
    client.force_login(customer.user)
    settings.PAGE_CACHE_ENABLED = False
    client.get("/shop/")
    computed = listing_queries(client)
    settings.PAGE_CACHE_ENABLED = True
    client.get("/shop/")
    reused = listing_queries(client)

    with commit():
        make_product(product_index, "Flagship Laptop", price="2500.00")
    after_change = client.get("/shop/").content.decode()

    assert reused <= computed - 3  # the facet queries (the header links are held anyway)
    assert 'placeholder="2500"' in after_change


def test_the_header_link_to_the_catalogue_follows_a_new_address_at_once(
    client, customer, product_index, commit
):
    client.force_login(customer.user)
    assert 'href="/shop/"' in client.get("/").content.decode()

    with commit():
        publish(product_index, slug="laptops")

    assert 'href="/laptops/"' in client.get("/").content.decode()


def test_a_visitor_with_a_cart_gets_the_cached_page_with_their_own_count(client, laptop):
    Client().get(laptop.url)
    client.post("/cart/add/", {"product": laptop.pk, "quantity": 3})
    client.get("/cart/")  # where the "added" message is shown

    page = client.get(laptop.url)

    assert served_from_cache(page)
    assert CART_COUNT.search(page.content.decode()).group(1) == "3"


def test_a_visitor_with_a_pending_message_gets_a_fresh_page(client, laptop):
    client.get(laptop.url)
    client.cookies["messages"] = "pending"
    assert not served_from_cache(client.get(laptop.url))


def test_only_gets_are_stored_and_heads_are_answered_from_the_cache(client, laptop):
    client.head(laptop.url)
    assert not served_from_cache(client.get(laptop.url))
    assert served_from_cache(client.head(laptop.url))


def test_responses_that_set_a_cookie_or_are_private_are_never_stored():
    request = RequestFactory().get("/shop/")
    page_cache.allow_caching(request)
    with_cookie = HttpResponse("page")
    with_cookie.set_cookie("tracking", "1")
    private = HttpResponse("page", headers={"Cache-Control": "private"})

    assert page_cache.response_may_be_cached(request, HttpResponse("page"))
    assert not page_cache.response_may_be_cached(request, with_cookie)
    assert not page_cache.response_may_be_cached(request, private)
    assert not page_cache.response_may_be_cached(request, HttpResponse(status=404))


def test_pages_outside_the_shop_are_not_cached(client, home_page):
    client.get("/admin/login/")
    assert not served_from_cache(client.get("/admin/login/"))


def test_nothing_is_cached_when_the_page_cache_is_switched_off(client, laptop, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get(laptop.url)
    assert not served_from_cache(client.get(laptop.url))


# Invalidation: each change shows at once on the next anonymous visit.


def test_a_new_price_shows_at_once_on_the_product_listing_and_home_pages(
    client, home_page, laptop, commit
):
    HomePageFeaturedProduct.objects.create(page=home_page, product=laptop, sort_order=0)
    for url in (laptop.url, "/shop/", "/"):
        client.get(url)

    with commit():
        publish(laptop, price="899.00")

    for url in (laptop.url, "/shop/", "/"):
        response = client.get(url)
        assert not served_from_cache(response)
        assert "$899.00" in response.content.decode()


def test_a_newly_published_product_appears_at_once_in_the_listing_and_search(
    client, product_index, laptop, commit
):
    client.get("/shop/")
    client.get("/search/?query=laptop")

    with commit():
        make_product(product_index, "Brand New Laptop")

    assert "Brand New Laptop" in client.get("/shop/").content.decode()
    assert "Brand New Laptop" in client.get("/search/?query=laptop").content.decode()


def test_an_unpublished_product_disappears_at_once(client, laptop, commit):
    client.get(laptop.url)
    client.get("/shop/")

    with commit():
        laptop.unpublish()

    assert client.get(laptop.url).status_code == 404
    assert "Cached Laptop" not in client.get("/shop/").content.decode()


def test_a_moved_product_is_at_its_new_address_at_once(client, home_page, laptop, commit):
    old_url = laptop.url
    client.get(old_url)
    client.get("/shop/")
    outlet = make_product_index(home_page, title="Outlet", slug="outlet")

    with commit():
        laptop.move(outlet, pos="last-child")

    # Wagtail leaves a redirect behind; the cached copy at the old address must not hide it.
    assert client.get(old_url).headers["Location"] == "/outlet/cached-laptop/"
    assert "Cached Laptop" not in client.get("/shop/").content.decode()
    assert client.get("/outlet/cached-laptop/").status_code == 200


def test_the_last_unit_sold_shows_out_of_stock_at_once_and_a_cancellation_restocks_it(
    client, product_index, customer, commit
):
    laptop = make_product(product_index, "Last Unit Laptop", stock=1)
    assert "Add to cart" in client.get(laptop.url).content.decode()

    with commit():
        order = make_placed_order(customer, (laptop, 1))
    sold_out = client.get(laptop.url).content.decode()

    with commit():
        release_stock(order, reason=StockReason.CANCELLATION)
    restocked = client.get(laptop.url).content.decode()

    assert "Out of stock" in sold_out
    assert "Add to cart" not in sold_out
    assert "Out of stock" not in restocked


def test_a_stock_count_typed_into_the_product_editor_shows_at_once(
    client, admin_client, laptop, commit
):
    client.get(laptop.url)
    data = open_editor(admin_client, laptop)
    data["variants-0-stock"] = "0"

    with commit():
        admin_client.post(edit_url(laptop), data)  # saved as a draft: stock applies at once

    assert "Out of stock" in client.get(laptop.url).content.decode()


def test_a_new_focal_point_shows_new_pictures_at_once(client, product_index, commit):
    image = make_image("Focal laptop")
    laptop = make_product(product_index, "Pictured Laptop", image=image)
    before = client.get(laptop.url).content.decode()

    with commit():
        image = get_image_model().objects.get(pk=image.pk)
        image.set_focal_point(Rect(10, 10, 200, 200))
        image.save()

    after = client.get(laptop.url)
    assert not served_from_cache(after)
    assert after.content.decode() != before


def test_a_hidden_review_leaves_the_product_page_at_once_and_returns_when_published(
    client, laptop, customer, commit
):
    review = make_review(customer, laptop, content="Lovely keyboard, loud fan.")
    moderator = make_staff_user()
    assert "Lovely keyboard" in client.get(laptop.url).content.decode()

    with commit():
        hide_review(review, moderator, "Off topic")
    hidden = client.get(laptop.url).content.decode()

    with commit():
        publish_review(review, moderator)
    published = client.get(laptop.url).content.decode()

    assert "Lovely keyboard" not in hidden
    assert "No reviews yet" in hidden
    assert "Lovely keyboard" in published


def test_a_renamed_tag_shows_at_once(client, product_index, commit):
    laptop = make_product(product_index, "Tagged Laptop", tags=["gaming"])
    assert "gaming" in client.get(laptop.url).content.decode()

    with commit():
        tag = Tag.objects.get(name="gaming")
        tag.name = "esports"
        tag.save()

    assert "esports" in client.get(laptop.url).content.decode()


def test_a_product_made_private_is_hidden_from_anonymous_visitors_at_once(
    client, laptop, commit
):
    assert client.get(laptop.url).status_code == 200

    with commit():
        PageViewRestriction.objects.create(page=laptop, restriction_type="login")

    assert client.get(laptop.url).status_code == 302


def test_a_new_bulk_discount_setting_refreshes_cached_pages_at_once(client, laptop, commit):
    client.get(laptop.url)
    discount = BulkDiscountSettings.for_site(Site.objects.get(is_default_site=True))

    with commit():
        discount.percentage = Decimal("25.00")
        discount.save()

    assert not served_from_cache(client.get(laptop.url))
    assert served_from_cache(client.get(laptop.url))


def test_a_saved_or_deleted_voucher_refreshes_cached_pages_at_once(client, laptop, commit):
    # Public vouchers show in the Current offers block (tests/commerce/promotions/test_offers.py).
    client.get(laptop.url)
    with commit():
        voucher = Voucher.objects.create(code="JUNE10", value=Decimal("10"), public=True)

    assert not served_from_cache(client.get(laptop.url))
    assert served_from_cache(client.get(laptop.url))

    with commit():
        voucher.delete()

    assert not served_from_cache(client.get(laptop.url))


def test_a_reviewers_new_name_shows_on_their_review_at_once(client, laptop, customer, commit):
    make_review(customer, laptop)
    assert "Ada L." in client.get(laptop.url).content.decode()

    with commit():
        customer.name = "Augusta King"
        customer.save()

    assert "Augusta K." in client.get(laptop.url).content.decode()


def test_invalidation_waits_for_the_transaction_to_commit(client, laptop):
    # Until the change is committed other visitors cannot see it, so the cache stays valid.
    client.get(laptop.url)
    publish(laptop, price="1.00")  # no commit: pytest-django's transaction stays open
    assert served_from_cache(client.get(laptop.url))


def test_a_cache_that_is_down_never_breaks_the_health_probes(client, home_page, settings):
    settings.CACHES = cache_config("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json()["checks"]["cache"] == (
        "default unreachable (ConnectionError)"
    )


def test_search_still_answers_when_the_cache_is_down(client, settings):
    settings.CACHES = cache_config("redis://127.0.0.1:1/0")
    response = client.get("/search/?query=laptop")
    assert response.status_code == 200


def cards_rendered(response):
    return [t.name for t in response.templates].count("includes/product_card.html")


def test_a_listing_rendered_afresh_reuses_the_product_cards_until_a_product_changes(
    client, product_index, laptop, commit
):
    make_product(product_index, "Budget Laptop", price="500.00")
    first = client.get("/shop/")
    # Another sort order is another page: rendered afresh, from the cards kept.
    by_price = client.get("/shop/?sort=price")

    with commit():
        publish(laptop, price="899.00")
    after_change = client.get("/shop/?sort=-price")

    assert cards_rendered(first) == 2
    assert cards_rendered(by_price) == 0
    assert "Cached Laptop" in by_price.content.decode()
    assert "$1,000.00" in by_price.content.decode()
    assert "$899.00" in after_change.content.decode()
    assert cards_rendered(after_change) == 2


def test_the_last_unit_sold_shows_out_of_stock_on_a_kept_card_at_once(
    client, product_index, customer, commit
):
    last_unit = make_product(product_index, "Last Unit Laptop", stock=1)
    client.force_login(customer.user)
    assert "Out of stock" not in client.get("/shop/").content.decode()

    with commit():
        make_placed_order(customer, (last_unit, 1))
    listing = client.get("/shop/?sort=newest").content.decode()

    assert "Out of stock" in listing


def test_a_listing_with_the_cache_down_renders_every_card(client, product_index, laptop,
                                                         settings):
    settings.CACHES = cache_config("redis://127.0.0.1:1/0")

    listing = client.get("/shop/")

    assert listing.status_code == 200
    assert cards_rendered(listing) == 1
    assert "Cached Laptop" in listing.content.decode()
