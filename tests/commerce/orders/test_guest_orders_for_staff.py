"""Staff pages work for guests' orders (no customer): they show the guest's name as a guest."""

import csv
import io

import pytest

from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from commerce.reviews.rules import can_review
from home.shared.roles import FULFILMENT
from tests.factories import make_guest_order, make_product, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_order(product_index):
    lamp = make_product(product_index, "Guest Lamp", price="40.00", stock=5)
    return make_guest_order((lamp, 2), payment_method="card")


def test_order_list_inspect_and_export_show_the_guest(admin_client, guest_order):
    listing = admin_client.get("/admin/snippets/commerce/order/").content.decode()
    assert "Grace Guest (guest)" in listing
    assert "Grace Guest (guest)" in admin_client.get(
        "/admin/snippets/commerce/order/?q=grace.guest"
    ).content.decode()
    inspect = admin_client.get(f"/admin/snippets/commerce/order/inspect/{guest_order.pk}/")
    assert "grace.guest@example.com" in inspect.content.decode()
    export = admin_client.get("/admin/snippets/commerce/order/?export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert (rows[0]["Customer"], rows[0]["Email"]) == ("Grace Guest", "grace.guest@example.com")


def test_fulfilment_queue_and_staff_invoice_take_a_guest_order(staff_client, admin_client,
                                                                guest_order):
    assert guest_order.status == OrderStatus.PAID
    queue = staff_client(FULFILMENT).get("/admin/fulfilment/").content.decode()
    assert "Grace Guest (guest)" in queue
    invoice = admin_client.get(f"/admin/invoices/{guest_order.number}.pdf")
    assert invoice["Content-Type"] == "application/pdf"


def test_dashboard_lists_a_guest_order(client, guest_order):
    client.force_login(make_staff_user("boss"))
    assert "Grace Guest (guest)" in client.get("/admin/").content.decode()


def test_cancelling_a_guest_order_touches_no_ones_reviews(guest_order, customer):
    change_status(guest_order, OrderStatus.CANCELLED, user=make_staff_user("boss"))
    guest_order.refresh_from_db()
    assert guest_order.status == OrderStatus.CANCELLED
    assert not can_review(customer, guest_order.items.get().product)
