"""Back-in-stock alerts: a shopper asks on an out-of-stock product's page, and gets one email
when it is back."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from home.shared.roles import MARKETERS
from products.back_in_stock import BackInStockRequest, send_back_in_stock_alerts
from products.ledger import StockReason
from products.stock import change_stock, lock_products, set_stock, set_variant_stock
from tests.factories import (
    make_customer,
    make_placed_order,
    make_product,
    make_staff_user,
    make_variants,
    put_on_shelf,
    variant_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_out(product_index):
    return make_product(product_index, "Sold Out Laptop", price="1299.50", stock=0)


def ask(client, product, email="grace@example.com"):
    return client.post(
        reverse("products:ask_back_in_stock", args=[product.pk]), {"email": email}
    )


def restock(product, count=5):
    set_stock(product.pk, count, reason=StockReason.STAFF_ADJUSTMENT)


def test_an_out_of_stock_product_offers_email_me_when_its_back(client, sold_out):
    page = client.get(sold_out.url).content.decode()

    assert "Email me when it's back" in page
    assert reverse("products:ask_back_in_stock", args=[sold_out.pk]) in page
    assert "csrfmiddlewaretoken" in page


def test_the_form_is_prefilled_for_a_logged_in_customer(client, sold_out):
    customer = make_customer("grace", email="grace@example.com")
    client.force_login(customer.user)

    page = client.get(sold_out.url).content.decode()

    assert 'value="grace@example.com"' in page


def test_the_cached_page_gives_each_visitor_their_own_csrf_token(client, sold_out, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.get(sold_out.url)
    served = client.get(sold_out.url)

    assert served["X-Page-Cache"] == "hit"
    assert b"__page_cache_csrf_token__" not in served.content


def test_an_in_stock_product_offers_no_form(client, product_index):
    laptop = make_product(product_index, "Plenty Laptop", stock=20)

    assert "Email me when it" not in client.get(laptop.url).content.decode()


def test_signing_up_records_one_open_request(client, sold_out, fresh_cache):
    response = ask(client, sold_out, "Grace@Example.com")

    assert response.status_code == 302
    followed = client.get(response["Location"]).content.decode()
    assert "we will email Grace@Example.com once when Sold Out Laptop is back" in followed
    request = BackInStockRequest.objects.get()
    assert (request.product_id, request.email, request.notified_at) == (
        sold_out.pk, "Grace@Example.com", None,
    )


def test_asking_twice_says_you_are_already_on_the_list(client, sold_out, fresh_cache):
    ask(client, sold_out, "grace@example.com")

    response = ask(client, sold_out, "GRACE@example.com")

    assert response.status_code == 200
    assert "You&#x27;re already on the list" in response.content.decode()
    assert BackInStockRequest.objects.count() == 1


def test_a_bad_email_re_renders_the_page_with_an_error(client, sold_out, fresh_cache):
    response = ask(client, sold_out, "not an email")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert "not an email" in response.content.decode()
    assert not BackInStockRequest.objects.exists()


def test_too_many_requests_from_one_client_are_refused(client, product_index, fresh_cache,
                                                       settings):
    settings.BACK_IN_STOCK_REQUESTS_PER_CLIENT = 2
    products = [make_product(product_index, f"Gone {n}", stock=0) for n in range(3)]
    for number, product in enumerate(products[:2]):
        assert ask(client, product, f"shopper{number}@example.com").status_code == 302

    response = ask(client, products[2], "shopper9@example.com")

    assert response.status_code == 429
    assert "too many requests" in response.content.decode()
    assert BackInStockRequest.objects.count() == 2


def test_too_many_requests_for_one_email_are_refused(client, product_index, fresh_cache,
                                                     settings):
    settings.BACK_IN_STOCK_REQUESTS_PER_EMAIL = 1
    first, second = (make_product(product_index, f"Gone {n}", stock=0) for n in range(2))
    ask(client, first, "grace@example.com")

    response = ask(client, second, "grace@example.com")

    assert response.status_code == 429
    assert BackInStockRequest.objects.count() == 1


def test_asking_about_an_in_stock_product_records_nothing(client, product_index, fresh_cache):
    laptop = make_product(product_index, "Plenty Laptop", stock=20)

    response = ask(client, laptop)

    assert response.status_code == 302
    assert not BackInStockRequest.objects.exists()


def test_an_unpublished_product_takes_no_requests(client, product_index, fresh_cache):
    draft = make_product(product_index, "Draft Laptop", stock=0, live=False)

    assert ask(client, draft).status_code == 404


def test_restocking_emails_each_person_waiting_once_and_closes_their_request(
    client, sold_out, fresh_cache, django_capture_on_commit_callbacks, settings
):
    for email in ("grace@example.com", "ada@example.com"):
        ask(client, sold_out, email)

    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "ada@example.com", "grace@example.com",
    ]
    message = mail.outbox[0]
    assert message.subject == "Sold Out Laptop is back in stock at Storefront"
    assert "$1,299.50" in message.body
    assert f"{settings.SHOP_BASE_URL}{sold_out.url}" in message.body
    assert not BackInStockRequest.objects.filter(notified_at__isnull=True).exists()


def test_no_email_before_the_restock_commits(client, sold_out, fresh_cache,
                                             django_capture_on_commit_callbacks):
    ask(client, sold_out)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        restock(sold_out)

    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_second_restock_emails_nobody(client, sold_out, fresh_cache,
                                        django_capture_on_commit_callbacks):
    ask(client, sold_out)
    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out, 5)
    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out, 0)
        restock(sold_out, 3)

    assert len(mail.outbox) == 1


def test_a_cancelled_order_putting_stock_back_emails_those_waiting(
    client, product_index, fresh_cache, django_capture_on_commit_callbacks
):
    laptop = make_product(product_index, "Last Laptop", stock=1)
    order = make_placed_order(make_customer("buyer"), (laptop, 1))
    ask(client, laptop, "grace@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        change_status(order, OrderStatus.CANCELLED, user=make_staff_user())

    assert [message.to for message in mail.outbox if "back in stock" in message.subject] == [
        ["grace@example.com"]
    ]
    assert BackInStockRequest.objects.get().notified_at is not None


def test_change_stock_adding_units_to_an_empty_product_emails_those_waiting(
    client, sold_out, fresh_cache, django_capture_on_commit_callbacks
):
    ask(client, sold_out)

    with django_capture_on_commit_callbacks(execute=True):
        lock_products([sold_out.pk])
        change_stock({variant_of(sold_out).pk: 2}, 1, reason=StockReason.RETURN)

    assert len(mail.outbox) == 1


def test_requests_for_an_unpublished_product_wait(client, sold_out, fresh_cache,
                                                  django_capture_on_commit_callbacks):
    ask(client, sold_out)
    sold_out.unpublish()

    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out)

    assert mail.outbox == []
    assert BackInStockRequest.objects.get().notified_at is None


def test_the_back_in_stock_requests_listing_shows_how_many_wait(sold_out, staff_client):
    for email in ("grace@example.com", "ada@example.com"):
        BackInStockRequest.objects.create(product=sold_out, email=email)
    listing = staff_client(MARKETERS).get(
        reverse(BackInStockRequest.snippet_viewset.get_url_name("list"))
    )

    assert listing.status_code == 200
    page = listing.content.decode()
    assert page.count("Sold Out Laptop") >= 2
    assert re.search(r"Waiting for this product.*?<td[^>]*>\s*2\s*</td>", page, re.S)
    assert "grace@example.com" not in page


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_alert_runs_at_once_email_each_person_once(product_index, run_together):
    laptop = make_product(product_index, "Raced Laptop", stock=0)
    for number in range(5):
        BackInStockRequest.objects.create(product=laptop, email=f"waiting{number}@example.com")
    # Back in stock without set_stock's own alert: the runs below are the ones racing.
    put_on_shelf(laptop, 3)

    results = run_together([lambda: send_back_in_stock_alerts([laptop.pk])] * 4)

    assert sum(results) == 5, results
    assert sorted(message.to[0] for message in mail.outbox) == [
        f"waiting{number}@example.com" for number in range(5)
    ]


def test_the_alert_has_a_one_click_unsubscribe_link_and_headers(
    client, sold_out, fresh_cache, django_capture_on_commit_callbacks
):
    ask(client, sold_out, "grace@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out)

    [message] = mail.outbox
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/emails/unsubscribe/" in url
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body and url in message.alternatives[0][0]


def test_nobody_who_unsubscribed_gets_an_alert_and_their_request_is_closed(
    client, sold_out, fresh_cache, django_capture_on_commit_callbacks
):
    from home.shared.unsubscribe import opt_out

    ask(client, sold_out, "grace@example.com")
    opt_out("grace@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out)

    assert not mail.outbox
    assert not BackInStockRequest.objects.filter(notified_at__isnull=True).exists()


@pytest.fixture
def half_sold_out(product_index):
    laptop = make_product(product_index, "Config Laptop", price="1000.00")
    small, large = make_variants(
        laptop,
        {"sku": "CFG-16", "ram_gb": 16, "stock": 4},
        {"sku": "CFG-32", "ram_gb": 32, "price": "1300.00", "stock": 0},
    )
    return laptop, small, large


def test_a_sold_out_configuration_offers_an_alert_for_itself(client, half_sold_out):
    laptop, small, large = half_sold_out

    in_stock_page = client.get(laptop.url).content.decode()
    sold_out_page = client.get(f"{laptop.url}?variant=CFG-32").content.decode()

    assert "Email me when it's back" not in in_stock_page
    assert "Email me when it's back" in sold_out_page
    assert f'name="variant" value="{large.pk}"' in sold_out_page
    assert "One email when Config Laptop (32 GB RAM) is back in stock" in sold_out_page


def test_a_configuration_back_in_stock_emails_only_those_waiting_for_it(
    client, half_sold_out, fresh_cache, django_capture_on_commit_callbacks
):
    laptop, small, large = half_sold_out
    response = client.post(
        reverse("products:ask_back_in_stock", args=[laptop.pk]),
        {"email": "grace@example.com", "variant": large.pk},
        follow=True,
    )
    assert "we will email grace@example.com once when Config Laptop (32 GB RAM) is back" in (
        response.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        set_variant_stock(small.pk, 9, reason=StockReason.STAFF_ADJUSTMENT)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        set_variant_stock(large.pk, 2, reason=StockReason.STAFF_ADJUSTMENT)

    (alert,) = mail.outbox
    assert alert.subject.startswith("Config Laptop (32 GB RAM) is back in stock")
    assert "$1,300.00" in alert.body
    assert "?variant=CFG-32" in alert.body
    assert BackInStockRequest.objects.get().notified_at is not None


def test_an_address_that_unsubscribed_is_told_no_alert_will_come(client, sold_out):
    from home.shared.unsubscribe import opt_out

    opt_out("grace@example.com")

    response = ask(client, sold_out, "Grace@Example.com")

    assert response.status_code == 200
    assert "Grace@Example.com is unsubscribed from our emails" in response.content.decode()
    assert not BackInStockRequest.objects.exists()
