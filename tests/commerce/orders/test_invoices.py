import importlib
from io import BytesIO

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from commerce.orders.invoices import NotInvoiceable, render_invoice_pdf
from commerce.orders.models import Order, OrderStatus
from commerce.orders.status import change_status
from tests.factories import (
    make_admin_user,
    make_customer,
    make_order,
    make_placed_order,
    make_product,
)

ADDRESS = {
    "address": "12 Analytical Row, Flat 3", "city": "Springfield", "state": "IL",
    "zip_code": "62704",
}


def pdf_text(data):
    """The invoice's words in reading order, separated by single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def customer(db):
    return make_customer("ada", name="Ada Lovelace")


@pytest.fixture
def discounted_order(product_index, customer):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    mouse = make_product(product_index, "Orbit Mouse", price="24.50")
    # Four laptops: the bulk discount takes 20% off the order.
    return make_order(customer, [(laptop, 4), (mouse, 2)], checkout=True, **ADDRESS)


def test_invoice_lists_lines_discount_total_and_shipping_address(discounted_order):
    text = pdf_text(render_invoice_pdf(discounted_order))

    assert f"Invoice {discounted_order.number}" in text
    assert "Zenith Air 14 $1,000.00 4 $4,000.00" in text
    assert "Orbit Mouse $24.50 2 $49.00" in text
    assert "Subtotal $4,049.00" in text
    assert "Bulk discount (20% off) -$809.80" in text
    assert "Total $3,239.20" in text
    assert "12 Analytical Row, Flat 3" in text
    assert "Springfield, Illinois 62704" in text
    assert "Ada Lovelace" in text
    assert "Visa ending 4242 (authorised)" in text


def test_invoice_without_discount_has_no_discount_line(product_index, customer):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    order = make_order(customer, [(laptop, 1)], checkout=True, **ADDRESS)

    text = pdf_text(render_invoice_pdf(order))

    assert "Discount" not in text
    assert "Total $1,000.00" in text


def test_invoice_prints_names_beyond_latin_1_and_markup_as_text(product_index):
    customer = make_customer("lukasz", name="Łukasz Dvořák")
    odd = make_product(product_index, "<b>Bold</b> & Co Laptop", price="10.00")
    order = make_order(
        customer, [(odd, 1)], checkout=True, address="ul. Piotrkowska 1", city="Łódź",
        state="LD", zip_code="90001",
    )

    text = pdf_text(render_invoice_pdf(order))

    assert "Łukasz Dvořák" in text
    assert "Łódź, LD 90001" in text
    assert "<b>Bold</b> & Co Laptop" in text


def test_carts_and_cancelled_orders_have_no_invoice(product_index, customer):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")

    for status in ("cart", "cancelled"):
        with pytest.raises(NotInvoiceable):
            render_invoice_pdf(make_order(customer, [(laptop, 1)], status=status))


def test_customer_downloads_their_own_invoice(client, discounted_order):
    client.force_login(discounted_order.customer.user)

    response = client.get(reverse("invoices:download", args=[discounted_order.number]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="invoice-{discounted_order.number}.pdf"'
    )
    assert "Total $3,239.20" in pdf_text(response.content)


def test_order_page_links_to_the_invoice_unless_cancelled(client, discounted_order):
    client.force_login(discounted_order.customer.user)
    order_page = reverse("commerce:order_detail", args=[discounted_order.number])
    invoice_url = reverse("invoices:download", args=[discounted_order.number])

    assert invoice_url in client.get(order_page).content.decode()

    discounted_order.status = "cancelled"
    discounted_order.save()
    assert invoice_url not in client.get(order_page).content.decode()


def test_another_customer_gets_404_for_an_invoice(client, discounted_order):
    client.force_login(make_customer("grace", name="Grace Hopper").user)

    response = client.get(reverse("invoices:download", args=[discounted_order.number]))

    assert response.status_code == 404


def test_cancelled_orders_invoice_is_404_for_the_customer(client, discounted_order):
    discounted_order.status = "cancelled"
    discounted_order.save()
    client.force_login(discounted_order.customer.user)

    response = client.get(reverse("invoices:download", args=[discounted_order.number]))

    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, discounted_order):
    response = client.get(reverse("invoices:download", args=[discounted_order.number]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_order_staff_download_any_invoice_from_the_admin(client, discounted_order):
    client.force_login(make_admin_user("support", ["commerce.view_order"]))

    response = client.get(reverse("invoices_admin:download", args=[discounted_order.number]))

    assert response.status_code == 200
    assert f"Invoice {discounted_order.number}" in pdf_text(response.content)


def test_order_view_in_the_admin_offers_the_invoice(client, discounted_order):
    client.force_login(make_admin_user("support", ["commerce.view_order"]))
    inspect_url = reverse(
        Order.snippet_viewset.get_url_name("inspect"), args=[discounted_order.pk]
    )
    invoice_url = reverse("invoices_admin:download", args=[discounted_order.number])

    assert invoice_url in client.get(inspect_url).content.decode()

    discounted_order.status = "cancelled"
    discounted_order.save()
    assert invoice_url not in client.get(inspect_url).content.decode()


def test_staff_without_order_permission_cannot_download_invoices(client, discounted_order):
    client.force_login(make_admin_user("marketer", ["wagtailcore.add_page"]))

    response = client.get(reverse("invoices_admin:download", args=[discounted_order.number]))

    assert response.status_code == 302
    assert response["Content-Type"] != "application/pdf"


def test_shoppers_cannot_use_the_admin_invoice_url(client, discounted_order):
    client.force_login(discounted_order.customer.user)

    response = client.get(reverse("invoices_admin:download", args=[discounted_order.number]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def rename(customer, name, email):
    customer.name, customer.email = name, email
    customer.save()


def test_renaming_a_customer_leaves_their_invoices_as_they_were_billed(
    client, product_index, customer, django_capture_on_commit_callbacks
):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    order = make_placed_order(customer, (laptop, 1), delivery={**ADDRESS, "phone": "5551234567"})
    rename(customer, "Ada King", "countess@example.com")
    order = Order.objects.get(pk=order.pk)

    text = pdf_text(render_invoice_pdf(order))
    client.force_login(customer.user)
    order_page = client.get(reverse("commerce:order_detail", args=[order.number]))
    with django_capture_on_commit_callbacks(execute=True):
        change_status(order, OrderStatus.SHIPPED)

    assert "Bill to Ada Lovelace ada@example.com 12 Analytical Row, Flat 3" in text
    assert "Ada King" not in text and "countess@example.com" not in text
    assert "Ada Lovelace<br>ada@example.com" in order_page.content.decode()
    (shipped,) = mail.outbox
    assert shipped.body.startswith("Hello Ada Lovelace,")
    assert shipped.to == ["ada@example.com"]


def test_the_admin_shows_who_was_billed_not_the_renamed_customer(client, discounted_order):
    rename(discounted_order.customer, "Ada King", "countess@example.com")
    client.force_login(make_admin_user("support", ["commerce.view_order"]))
    inspect_url = reverse(
        Order.snippet_viewset.get_url_name("inspect"), args=[discounted_order.pk]
    )

    page = client.get(inspect_url).content.decode()

    assert "by Ada Lovelace &lt;ada@example.com&gt;" in page
    assert "Ada King" not in page


def test_a_cash_on_delivery_order_delivered_and_paid_reads_paid_on_its_invoice(
    product_index, customer
):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    order = make_placed_order(customer, (laptop, 1), payment_method="cod")

    for status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        change_status(order, status)

    text = pdf_text(render_invoice_pdf(Order.objects.get(pk=order.pk)))
    assert "Cash on delivery (paid)" in text


def test_orders_placed_before_billing_was_stored_are_billed_from_their_customer(
    product_index, customer
):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    order = make_order(customer, [(laptop, 1)], checkout=True, **ADDRESS)
    Order.objects.filter(pk=order.pk).update(billing_name="", billing_email="", billing_address="")
    detail = order.checkout_detail
    detail.amount_authorised = detail.amount_captured = 0
    detail.save()
    migration = importlib.import_module(
        "commerce.migrations.0010_fill_payment_amounts_and_billing_snapshot"
    )

    migration.fill(apps, None)

    order.refresh_from_db()
    detail.refresh_from_db()
    assert (order.billing_name, order.billing_email, order.billing_address) == (
        "Ada Lovelace", "ada@example.com", "12 Analytical Row, Flat 3\nSpringfield, IL 62704"
    )
    assert (detail.amount_authorised, detail.amount_captured) == (order.total, order.total)


def test_the_invoice_names_the_seller_with_address_tax_number_and_support_email(
    discounted_order, seller
):
    text = pdf_text(render_invoice_pdf(discounted_order))

    assert text.startswith(
        "Storefront Trading LLC 400 Commerce Way Suite 12 Portland, OR 97201 "
        "Tax number: EIN 12-3456789 Support: help@storefront.example Invoice "
    )


def test_an_invoice_without_a_seller_set_is_sold_by_the_shop(discounted_order):
    assert pdf_text(render_invoice_pdf(discounted_order)).startswith("Storefront Invoice ")


def test_the_customers_order_page_names_the_seller(client, discounted_order, seller):
    client.force_login(discounted_order.customer.user)

    page = client.get(discounted_order.get_absolute_url()).content.decode()

    assert (
        "Storefront Trading LLC<br>400 Commerce Way<br>Suite 12<br>Portland, OR 97201"
        "<br>Tax number EIN 12-3456789"
    ) in page
    assert 'href="mailto:help@storefront.example"' in page
