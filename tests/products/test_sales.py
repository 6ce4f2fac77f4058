"""Scheduled sales: a sale price shown struck through while the sale is on, starting and ending
at its times with nothing run, charged at checkout, followed by the listing's filters and sort,
and never served past its end from the page cache."""

import io
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.place_order import place_order
from commerce.orders.invoices import render_invoice_pdf
from products.models import ProductPage
from tests.commerce.orders.test_invoices import pdf_text
from tests.factories import (
    DELIVERY,
    cart_total,
    edit_url,
    make_product,
    make_variants,
    open_editor,
    variant_of,
)
from tests.products.test_product_page import structured_data

pytestmark = pytest.mark.django_db


def on_sale(product, sale_price="800.00", starts=None, ends=None):
    """Put `product` on sale at `sale_price` from `starts` to `ends` (timedeltas from now),
    as an editor publishing the page does."""
    now = timezone.now()
    product.sale_price = None if sale_price is None else Decimal(sale_price)
    product.sale_starts_at = None if starts is None else now + starts
    product.sale_ends_at = None if ends is None else now + ends
    product.save_revision().publish()
    return ProductPage.objects.get(pk=product.pk)


def move_sale(product, starts=None, ends=None):
    """Move the sale's times in the database, as the clock passing them would: nothing is
    saved or run."""
    now = timezone.now()
    ProductPage.objects.filter(pk=product.pk).update(
        sale_starts_at=None if starts is None else now + starts,
        sale_ends_at=None if ends is None else now + ends,
    )


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Sale Laptop", price="1000.00", stock=5)


def test_a_sale_shows_the_sale_price_with_the_regular_price_struck_through(client, laptop):
    on_sale(laptop, "800.00", ends=timedelta(days=2))
    html = client.get(laptop.url).content.decode()
    assert '<span class="visually-hidden">Sale price: </span>$800.00' in html
    assert '<s class="price__was"><span class="visually-hidden">was </span>$1,000.00</s>' in html
    assert "Sale ends" in html

    listing = client.get("/shop/").content.decode()
    assert "$800.00" in listing and "$1,000.00</s>" in listing


def test_the_json_ld_offer_has_the_sale_price_valid_until_the_end(client, laptop):
    ends = timedelta(days=2)
    on_sale(laptop, "800.00", ends=ends)
    offer = structured_data(client.get(laptop.url).content.decode())["offers"]
    assert offer["price"] == "800.00"
    assert offer["priceValidUntil"] == timezone.localtime(timezone.now() + ends).date().isoformat()


def test_a_sale_starts_and_ends_at_its_times_with_nothing_run(client, laptop):
    on_sale(laptop, "800.00", starts=timedelta(hours=1), ends=timedelta(hours=2))
    before = client.get(laptop.url).content.decode()
    assert "$1,000.00" in before and "$800.00" not in before

    move_sale(laptop, starts=-timedelta(minutes=1), ends=timedelta(hours=1))
    during = client.get(laptop.url).content.decode()
    assert "$800.00" in during and "$1,000.00</s>" in during

    move_sale(laptop, starts=-timedelta(hours=2), ends=-timedelta(minutes=1))
    after = client.get(laptop.url).content.decode()
    assert "$800.00" not in after and "price__was" not in after


def test_a_variant_has_its_own_sale_price_and_the_products_applies_at_its_price(
    client, laptop
):
    small, large = make_variants(
        laptop,
        {"sku": "SALE-16", "ram_gb": 16},
        {"sku": "SALE-32", "ram_gb": 32, "price": "1400.00", "sale_price": Decimal("1250.00")},
    )
    laptop = on_sale(ProductPage.objects.get(pk=laptop.pk), "900.00", ends=timedelta(days=1))
    assert (laptop.sale_price_from, laptop.sale_price_to) == (Decimal("900.00"), Decimal("1250.00"))

    small_page = client.get(f"{laptop.url}?variant=SALE-16").content.decode()
    large_page = client.get(f"{laptop.url}?variant=SALE-32").content.decode()
    assert "$900.00" in small_page and "$1,000.00</s>" in small_page
    assert "$1,250.00" in large_page and "$1,400.00</s>" in large_page
    listing = client.get("/shop/").content.decode()
    assert "From $900.00" in listing


def test_the_cart_and_the_order_charge_the_sale_price_and_keep_the_regular_one(
    customer, laptop
):
    on_sale(laptop, "800.00", ends=timedelta(days=1))
    add_to_cart(CustomerCart(customer), laptop.pk, 2)
    assert cart_total(customer) == CustomerCart(customer).contents().totals.total
    assert CustomerCart(customer).contents().totals.subtotal == Decimal("1600.00")

    order = place_order(customer, DELIVERY, "cod", uuid.uuid4(),
                        expected_total=cart_total(customer))

    line = order.items.get()
    assert (line.unit_price, line.regular_unit_price) == (Decimal("800.00"), Decimal("1000.00"))
    assert order.subtotal == Decimal("1600.00")


def test_the_cart_order_page_email_invoice_and_admin_show_the_sale(
    client, admin_client, customer, laptop, mailoutbox, django_capture_on_commit_callbacks
):
    on_sale(laptop, "800.00", ends=timedelta(days=1))
    add_to_cart(CustomerCart(customer), laptop.pk, 1)
    client.force_login(customer.user)
    struck = '<s class="price__was"><span class="visually-hidden">sale price, regular </span>'
    assert f"{struck}$1,000.00</s>" in client.get("/cart/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(customer, DELIVERY, "cod", uuid.uuid4(),
                            expected_total=cart_total(customer))

    order_page = client.get(reverse("commerce:order_detail", args=[order.number]))
    assert f"{struck}$1,000.00</s>" in order_page.content.decode()
    assert "at $800.00 (Sale price, regular $1,000.00)" in mailoutbox[-1].body
    assert "Sale price, regular $1,000.00" in pdf_text(render_invoice_pdf(order))
    inspect = admin_client.get(reverse("wagtailsnippets_commerce_order:inspect", args=[order.pk]))
    assert "Sale Laptop (Sale price, regular $1,000.00)" in inspect.content.decode()


def test_four_units_at_the_sale_price_get_the_bulk_discount_off_the_sale_price(customer, laptop):
    on_sale(laptop, "800.00", ends=timedelta(days=1))
    add_to_cart(CustomerCart(customer), laptop.pk, 4)
    totals = CustomerCart(customer).contents().totals
    assert (totals.subtotal, totals.discount) == (Decimal("3200.00"), Decimal("640.00"))


def test_the_listing_filters_and_sorts_on_the_prices_shown(client, product_index, laptop):
    make_product(product_index, "Plain Laptop", price="900.00")
    on_sale(laptop, "800.00", ends=timedelta(days=1))

    cheap = client.get("/shop/?max_price=850").content.decode()
    assert "Sale Laptop" in cheap and "Plain Laptop" not in cheap
    by_price = client.get("/shop/?sort=price").content.decode()
    assert by_price.index("Sale Laptop") < by_price.index("Plain Laptop")

    move_sale(laptop, starts=-timedelta(days=2), ends=-timedelta(days=1))
    after = client.get("/shop/?sort=price").content.decode()
    assert after.index("Plain Laptop") < after.index("Sale Laptop")
    assert "Sale Laptop" not in client.get("/shop/?max_price=850").content.decode()


def test_a_sale_price_must_be_below_the_price_and_end_after_it_starts(laptop):
    laptop.sale_price = Decimal("1000.00")
    laptop.sale_starts_at = timezone.now()
    laptop.sale_ends_at = laptop.sale_starts_at - timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        laptop.full_clean()
    assert refused.value.message_dict["sale_price"] == ["The sale price must be below the price."]
    assert refused.value.message_dict["sale_ends_at"] == ["The sale must end after it starts."]


def test_the_editor_puts_a_product_on_sale(admin_client, laptop):
    edit = admin_client.get(f"/admin/pages/{laptop.pk}/edit/").content.decode()
    assert 'name="sale_price"' in edit and 'name="variants-0-sale_price"' in edit


@pytest.mark.parametrize(("price", "variant_sale_price"), [
    ("1000.00", "1000.00"),  # at the product's price
    ("900.00", "950.00"),    # above the product's price as it is edited in the same form
])
def test_the_editor_refuses_a_variant_sale_price_not_below_the_products_price(
    admin_client, laptop, price, variant_sale_price
):
    data = open_editor(admin_client, laptop)
    data["price"] = price
    data["variants-0-sale_price"] = variant_sale_price  # a variant at the product's price
    data["action-publish"] = "action-publish"

    response = admin_client.post(edit_url(laptop), data)

    assert response.status_code == 200
    assert "The sale price must be below the product&#x27;s price." in response.content.decode()
    laptop.refresh_from_db()
    assert laptop.price == Decimal("1000.00")
    assert variant_of(laptop).sale_price is None
    assert laptop.get_latest_revision().content["variants"][0]["sale_price"] is None


def test_the_editor_takes_a_variant_sale_price_below_the_products_price(admin_client, laptop):
    data = open_editor(admin_client, laptop)
    data["variants-0-sale_price"] = "950.00"
    data["action-publish"] = "action-publish"

    assert admin_client.post(edit_url(laptop), data).status_code == 302
    assert variant_of(laptop).sale_price == Decimal("950.00")
    assert variant_of(laptop).unit_price == Decimal("950.00")


def test_the_page_cache_serves_no_price_past_the_sales_end(client, settings, fresh_cache, laptop):
    settings.PAGE_CACHE_ENABLED = True
    on_sale(laptop, "800.00", ends=timedelta(seconds=2))

    first = client.get(laptop.url)
    again = client.get(laptop.url)
    assert again.get("X-Page-Cache") == "hit" and "$800.00" in again.content.decode()
    assert "$800.00" in first.content.decode()

    time.sleep(2.1)
    after = client.get(laptop.url)
    assert after.get("X-Page-Cache") != "hit"
    assert "$800.00" not in after.content.decode()


def test_a_cached_page_is_kept_no_longer_than_until_the_next_sale_starts(
    client, settings, fresh_cache, laptop, product_index
):
    settings.PAGE_CACHE_ENABLED = True
    other = make_product(product_index, "Other Laptop", price="500.00")
    on_sale(other, "400.00", starts=timedelta(seconds=2), ends=timedelta(days=1))

    client.get("/shop/")
    assert client.get("/shop/").get("X-Page-Cache") == "hit"
    assert "$400.00" not in client.get("/shop/").content.decode()

    time.sleep(2.1)
    listing = client.get("/shop/")
    assert listing.get("X-Page-Cache") != "hit"
    assert "$400.00" in listing.content.decode()


def test_the_demo_shop_has_laptops_on_sale(client):
    call_command("seed_demo", stdout=io.StringIO())
    listing = client.get("/shop/").content.decode()
    assert listing.count('class="price__was"') == 2
    assert "$529.00" in listing
