"""Where a customer follows their parcel once staff mark the order shipped."""

import pytest

from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from commerce.orders.tracking import tracking_url
from tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("carrier", "link"),
    [
        ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=AB-12"),
        ("ups", "https://www.ups.com/track?tracknum=AB-12"),
        ("Fed Ex", "https://www.fedex.com/fedextrack/?trknbr=AB-12"),
        ("DHL", "https://www.dhl.com/us-en/home/tracking/tracking-express.html?tracking-id=AB-12"),
        ("Bob's Vans", ""),
        ("", ""),
    ],
)
def test_known_carriers_link_to_their_tracking_page(carrier, link):
    assert tracking_url(carrier, "AB-12") == link


def test_no_tracking_number_no_link():
    assert tracking_url("UPS", "") == ""


def test_the_customers_order_page_shows_the_tracking_with_the_carriers_link(
    client, customer, laptop
):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)
    change_status(order, OrderStatus.SHIPPED, carrier="FedEx", tracking_number="123456789012")
    client.force_login(customer.user)

    page = client.get(order.get_absolute_url()).content.decode()

    assert "by FedEx, tracking number" in page
    assert (
        '<a href="https://www.fedex.com/fedextrack/?trknbr=123456789012" '
        'rel="noopener noreferrer">123456789012</a>'
    ) in page


def test_an_unknown_carrier_shows_the_number_only(client, customer, laptop):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)
    change_status(order, OrderStatus.SHIPPED, carrier="Local Courier", tracking_number="LC-7")
    client.force_login(customer.user)

    page = client.get(order.get_absolute_url()).content.decode()

    assert "by Local Courier, tracking number LC-7" in page
    assert "trknbr" not in page and "tracknum" not in page


def test_an_order_not_shipped_shows_no_tracking(client, customer, laptop):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)
    client.force_login(customer.user)

    page = client.get(order.get_absolute_url()).content.decode()

    assert "tracking number" not in page and "Shipped" not in page
