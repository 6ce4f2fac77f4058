import csv
import io
from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import registry as log_registry

from commerce.orders.models import Order, OrderStatus
from commerce.payments.models import PaymentMethod, PaymentStatus
from home.shared.roles import FULFILMENT
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/fulfilment/"


def ship_url(order):
    return f"/admin/fulfilment/ship/{order.checkout_detail.pk}/"


def queued_numbers(response):
    return [detail.order.number for detail in response.context["object_list"]]


@pytest.fixture
def fulfilment_client(staff_client):
    return staff_client(FULFILMENT)



@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Queue Book", price="900.00", stock=10)


def test_queue_holds_paid_orders_only_oldest_first(fulfilment_client, ada, laptop):
    newer = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True,
                       date_ordered=timezone.make_aware(datetime(2026, 4, 2)))
    older = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True,
                       date_ordered=timezone.make_aware(datetime(2026, 4, 1)))
    for status in (OrderStatus.PLACED, OrderStatus.SHIPPED, OrderStatus.COMPLETED,
                   OrderStatus.CANCELLED):
        make_order(ada, [(laptop, 1)], status=status, checkout=True)

    response = fulfilment_client.get(QUEUE_URL)

    assert queued_numbers(response) == [older.number, newer.number]


def test_queue_rows_show_where_to_ship_and_what(fulfilment_client, ada, product_index, laptop):
    mouse = make_product(product_index, "Queue Mouse", price="20.00")
    make_order(ada, [(laptop, 2), (mouse, 1)], status=OrderStatus.PAID, checkout=True,
               address="1 Difference Street", city="Springfield", state="IL", zip_code="62704")

    html = fulfilment_client.get(QUEUE_URL).content.decode()

    for text in ["Ada Lovelace", "1 Difference Street", "Springfield", "IL", "62704",
                 "2 × Queue Book, 1 × Queue Mouse", "Mark shipped"]:
        assert text in html


def test_packing_list_puts_the_second_address_line_with_the_street(fulfilment_client, ada,
                                                                    laptop):
    make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True, address_line2="Apt 3")

    response = fulfilment_client.get(QUEUE_URL, {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][3] == "1 Market Street, Apt 3"


def test_queue_exports_a_packing_list(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 3)], status=OrderStatus.PAID, checkout=True)

    response = fulfilment_client.get(QUEUE_URL, {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1] == [order.number, "Ada Lovelace", "5551234567", "1 Market Street",
                       "Springfield", "IL", "62701", "3 × Queue Book", "Paid"]


def test_mark_shipped_asks_then_ships_and_the_order_leaves_the_queue(
    fulfilment_client, ada, laptop
):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    confirm = fulfilment_client.get(ship_url(order))
    assert "will be marked shipped" in confirm.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    response = fulfilment_client.post(ship_url(order), follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert f"{order} is now shipped." in response.content.decode()
    assert response.redirect_chain[-1][0] == QUEUE_URL
    assert queued_numbers(response) == []


def test_shipping_an_order_someone_already_shipped_is_refused_with_a_message(
    fulfilment_client, ada, laptop
):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)
    fulfilment_client.post(ship_url(order))

    response = fulfilment_client.post(ship_url(order), follow=True)

    assert f"{order} is already shipped." in response.content.decode()


def test_shipping_a_cancelled_order_is_refused(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.CANCELLED, checkout=True)

    response = fulfilment_client.get(ship_url(order), follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert "its status can no longer change" in response.content.decode()


def test_queue_has_no_add_edit_or_delete(admin_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)
    detail = order.checkout_detail

    assert admin_client.get(f"/admin/fulfilment/edit/{detail.pk}/")["Location"] == reverse(
        "wagtailadmin_home"
    )
    admin_client.post(f"/admin/fulfilment/delete/{detail.pk}/")
    assert type(detail).objects.filter(pk=detail.pk).exists()
    assert "/admin/fulfilment/create/" not in admin_client.get(QUEUE_URL).content.decode()


def cod_order(customer, laptop, status=OrderStatus.PLACED):
    return make_order(customer, [(laptop, 1)], status=status, checkout=True,
                      payment_method=PaymentMethod.CASH_ON_DELIVERY,
                      payment_status=PaymentStatus.PENDING)


def test_cash_on_delivery_orders_queue_unpaid_with_the_cash_to_collect(
    fulfilment_client, ada, laptop
):
    placed_cod = cod_order(ada, laptop)
    placed_card = make_order(ada, [(laptop, 1)], status=OrderStatus.PLACED, checkout=True)
    cod_order(ada, laptop, status=OrderStatus.SHIPPED)

    response = fulfilment_client.get(QUEUE_URL)

    assert queued_numbers(response) == [placed_cod.number]
    assert placed_card.number not in response.content.decode()
    assert "Collect $900.00 on delivery" in response.content.decode()


def test_mark_shipped_stores_the_carrier_and_tracking_number(fulfilment_client, ada, laptop):
    order = cod_order(ada, laptop)

    confirm = fulfilment_client.get(ship_url(order)).content.decode()
    assert 'name="carrier"' in confirm and 'name="tracking_number"' in confirm
    fulfilment_client.post(ship_url(order), {"carrier": "UPS",
                                             "tracking_number": "1Z 999 AA1 0123456784"})

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert (order.carrier, order.tracking_number) == ("UPS", "1Z999AA10123456784")
    assert order.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    entry = log_registry.get_logs_for_instance(order).get()
    assert entry.data == {"from": "placed", "to": "shipped", "carrier": "UPS",
                          "tracking_number": "1Z999AA10123456784"}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"tracking_number": "9" * 41}, "at most 40 characters"),
        ({"tracking_number": "<script>"}, "only letters, digits and hyphens"),
        ({"carrier": "C" * 51}, "at most 50 characters"),
    ],
)
def test_bad_tracking_input_comes_back_with_a_field_error_and_ships_nothing(
    fulfilment_client, ada, laptop, fields, error
):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    response = fulfilment_client.post(ship_url(order), fields)

    assert response.status_code == 200
    assert error in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.tracking_number, order.shipped_at) == (
        OrderStatus.PAID, "", None
    )
    assert mail.outbox == []


def test_the_order_page_offers_delivered_and_paid_for_a_shipped_cash_order(
    fulfilment_client, ada, laptop
):
    order = cod_order(ada, laptop, status=OrderStatus.SHIPPED)
    inspect_url = reverse(Order.snippet_viewset.get_url_name("inspect"), args=[order.pk])
    status_url = reverse(Order.snippet_viewset.get_url_name("status"), args=[order.pk])

    page = fulfilment_client.get(inspect_url).content.decode()
    fulfilment_client.post(status_url, {"status": OrderStatus.COMPLETED})

    assert "Mark delivered and paid" in page
    assert "Cancel order" not in page
    order.refresh_from_db()
    order.checkout_detail.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.checkout_detail.payment_status == PaymentStatus.PAID
