"""Low stock: each product's own threshold, the admin dashboard's "Low stock" panel and the
daily digest to the staff who read stock."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from home.shared.roles import FULFILMENT, MARKETERS, SUPPORT
from products.dashboard import LowStockPanel
from products.low_stock import send_low_stock_digest
from tests.factories import edit_url, make_product, make_staff_in_role, make_staff_user

pytestmark = pytest.mark.django_db

PANEL = "shop-low-stock"


def test_a_products_own_threshold_decides_only_n_left(product_index, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    usual = make_product(product_index, "Usual Laptop", stock=8)
    watched = make_product(product_index, "Watched Laptop", stock=8, low_stock_threshold=10)
    relaxed = make_product(product_index, "Relaxed Laptop", stock=3, low_stock_threshold=0)

    assert usual.stock_state.label == "In stock"
    assert watched.stock_state.label == "Only 8 left"
    assert relaxed.stock_state.label == "In stock"


def test_the_product_page_shows_the_products_threshold(client, product_index):
    watched = make_product(product_index, "Watched Laptop", stock=8, low_stock_threshold=10)

    assert "Only 8 left" in client.get(watched.url).content.decode()


@pytest.fixture
def low_products(product_index, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    make_product(product_index, "Plenty Laptop", stock=50)
    make_product(product_index, "Untracked Laptop", stock=None)
    make_product(product_index, "Draft Laptop", stock=1, live=False)
    return [
        make_product(product_index, "Few Laptop", stock=4),
        make_product(product_index, "Gone Laptop", stock=0),
        make_product(product_index, "Watched Laptop", stock=9, low_stock_threshold=10),
    ]


def panel_rows(page):
    panel = page[page.index(f'id="{PANEL}-content"'):]
    return re.findall(r'<a href="/admin/pages/(\d+)/edit/"[^>]*>\s*([^<]*?)\s*</a>', panel)


@pytest.mark.parametrize("role", [FULFILMENT, MARKETERS])
def test_fulfilment_and_marketers_see_low_products_lowest_first(client, low_products, role):
    few, gone, watched = low_products
    client.force_login(make_staff_in_role(role))

    page = client.get(reverse("wagtailadmin_home")).content.decode()

    assert panel_rows(page) == [
        (str(gone.pk), "Gone Laptop"), (str(few.pk), "Few Laptop"),
        (str(watched.pk), "Watched Laptop"),
    ]
    assert "3 products are at or below their low-stock threshold" in page


def test_support_staff_do_not_see_the_low_stock_panel(client, low_products):
    client.force_login(make_staff_in_role(SUPPORT))

    assert PANEL not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_panel_says_when_nothing_is_low(client, product_index):
    make_product(product_index, "Plenty Laptop", stock=50)
    client.force_login(make_staff_in_role(FULFILMENT))

    page = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "No product is low on stock." in page


def test_the_panel_takes_two_queries_however_many_products_are_low(
    product_index, django_assert_max_num_queries
):
    for number in range(15):
        make_product(product_index, f"Low {number}", stock=number % 3)
    request = RequestFactory().get("/admin/")
    request.user = make_staff_user()

    with django_assert_max_num_queries(2):
        html = LowStockPanel().render_html({"request": request})

    assert html.count("/edit/") == LowStockPanel.shown
    assert "15 products are at or below" in html


def test_the_digest_lists_low_products_to_the_staff_who_read_stock(low_products, settings):
    make_staff_in_role(FULFILMENT, "packer")
    make_staff_in_role(MARKETERS, "marketer")
    make_staff_in_role(SUPPORT, "helpdesk")

    call_command("send_low_stock_digest")

    assert sorted(message.to[0] for message in mail.outbox) == [
        "marketer@example.com", "packer@example.com",
    ]
    message = mail.outbox[0]
    assert message.subject == "3 products low on stock at Storefront"
    body = message.body
    assert body.index("Gone Laptop: out of stock") < body.index("Few Laptop: 4 left")
    assert "Watched Laptop: 9 left (threshold 10)" in body
    assert f"{settings.SHOP_BASE_URL}/admin/pages/{low_products[0].pk}/edit/" in body
    assert "Plenty Laptop" not in body and "Draft Laptop" not in body


def test_the_digest_sends_nothing_when_nothing_is_low(product_index, capsys):
    make_product(product_index, "Plenty Laptop", stock=50)
    make_staff_in_role(FULFILMENT, "packer")

    call_command("send_low_stock_digest")

    assert mail.outbox == []
    assert "no digest sent" in capsys.readouterr().out
    assert send_low_stock_digest() == []


def test_the_digest_command_refuses_unknown_options(db):
    with pytest.raises(CommandError, match="unrecognized arguments: --tomorrow"):
        call_command("send_low_stock_digest", "--tomorrow")


def test_staff_set_the_threshold_in_the_product_editor(client, product_index):
    laptop = make_product(product_index, "Editable Laptop", stock=8)
    client.force_login(make_staff_user())

    editor = client.get(edit_url(laptop)).content.decode()

    assert 'name="low_stock_threshold"' in editor
