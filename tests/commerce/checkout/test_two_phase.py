"""Card checkout in two steps: the stock is reserved, then paid for with nothing locked.

A declined card leaves the order awaiting payment, to pay with another card or give up (back
to the cart); an unpaid reservation expires and gives its stock back, exactly once."""

import datetime
import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.payment_flow import PaymentNotTaken, ReservationReleased, pay_order
from commerce.checkout.place_order import place_order
from commerce.checkout.reservations import (
    back_to_cart,
    release_expired_reservations,
    release_expired_reservations_task,
    release_reservation,
)
from commerce.orders.models import Order, OrderStatus
from commerce.orders.status import StatusChangeRefused, change_status
from commerce.payments.models import PaymentStatus
from commerce.payments.testcard import CardDetails, TestCardGateway
from config.env import tasks_config
from products.models import ProductPage
from tests.factories import DELIVERY, TEST_CARD, make_customer, make_product, variant_of

NEXT_YEAR = datetime.date.today().year + 1
DECLINED = CardDetails(TestCardGateway.DECLINED_NUMBER, 12, NEXT_YEAR, "123")
GOOD_CARD_FORM = {
    "card_number": "4242 4242 4242 4242",
    "card_expiry": f"12/{NEXT_YEAR % 100:02d}",
    "card_cvc": "938",
}

def stock_of(product):
    return ProductPage.objects.get(pk=product.pk).stock


def reserve(customer, product, quantity=2, card=DECLINED):
    """Put `quantity` of `product` in the cart and check out by card (declined by default),
    returning the order, which then awaits payment."""
    add_to_cart(CustomerCart(customer), product.pk, quantity)
    total = CustomerCart(customer).contents().totals.total
    try:
        return place_order(customer, DELIVERY, "card", uuid.uuid4(), card=card,
                           expected_total=total)
    except PaymentNotTaken as declined:
        return declined.order


def expire(order):
    Order.objects.filter(pk=order.pk).update(payment_due_by=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def ten_in_stock(product_index):
    return make_product(product_index, "Reserved Laptop", price="100.00", stock=10)


@pytest.fixture
def voided(monkeypatch):
    """The authorisations the test gateway was asked to void."""
    payments = []
    monkeypatch.setattr(TestCardGateway, "void", lambda self, payment: payments.append(payment))
    return payments


@pytest.mark.django_db
def test_a_declined_card_keeps_the_order_awaiting_payment_and_a_retry_pays_it(
    customer, ten_in_stock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = reserve(customer, ten_in_stock)

    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert stock_of(ten_in_stock) == 8
    assert order.payment_due_by - timezone.now() > timedelta(minutes=14)
    assert not Order.objects.placed().exists()  # not a sale yet
    assert mail.outbox == []  # no confirmation for an unpaid order

    with django_capture_on_commit_callbacks(execute=True):
        paid = pay_order(order, TEST_CARD)

    assert paid.status == OrderStatus.PAID
    assert paid.checkout_detail.payment_status == PaymentStatus.AUTHORISED
    assert paid.checkout_detail.amount_captured == Decimal("200.00")
    assert stock_of(ten_in_stock) == 8  # taken once, at the reservation
    assert release_reservation(paid, now=timezone.now() + timedelta(days=1)) is False
    assert stock_of(ten_in_stock) == 8
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject + mail.outbox[0].body


@pytest.mark.django_db
def test_the_reservation_lasts_the_configured_minutes(customer, ten_in_stock, settings):
    settings.SHOP_PAYMENT_RESERVATION_MINUTES = 3
    order = reserve(customer, ten_in_stock)
    left = order.payment_due_by - timezone.now()
    assert timedelta(minutes=2) < left <= timedelta(minutes=3)


@pytest.mark.django_db
def test_cash_on_delivery_is_placed_in_one_step(customer, ten_in_stock):
    add_to_cart(CustomerCart(customer), ten_in_stock.pk, 1)
    order = place_order(customer, DELIVERY, "cod", uuid.uuid4(), expected_total=Decimal("100.00"))
    assert order.status == OrderStatus.PLACED
    assert order.payment_due_by is None


@pytest.mark.django_db
def test_back_to_cart_releases_the_stock_once_and_restores_the_cart(customer, ten_in_stock):
    order = reserve(customer, ten_in_stock, quantity=3)
    assert stock_of(ten_in_stock) == 7

    assert back_to_cart(order) == []
    assert back_to_cart(order) is None  # a second click changes nothing

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(ten_in_stock) == 10
    assert CustomerCart(customer).quantities() == {variant_of(ten_in_stock).pk: 3}
    with pytest.raises(ReservationReleased):
        pay_order(order, TEST_CARD)


@pytest.mark.django_db
def test_expiry_releases_the_stock_once(customer, ten_in_stock):
    order = reserve(customer, ten_in_stock)
    assert release_expired_reservations() == 0  # not due yet
    expire(order)

    assert release_expired_reservations() == 1
    assert release_expired_reservations() == 0

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(ten_in_stock) == 10
    assert CustomerCart(customer).quantities() == {}


@pytest.mark.django_db
def test_paying_after_the_reservation_expired_is_refused_and_charges_nothing(
    customer, ten_in_stock, voided
):
    order = reserve(customer, ten_in_stock)
    expire(order)  # due, and no release has run yet

    with pytest.raises(ReservationReleased, match="has expired"):
        pay_order(order, TEST_CARD)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(ten_in_stock) == 10
    assert voided == []  # the provider was never asked
    assert release_expired_reservations() == 0


class ExpiringWhileAuthorising(TestCardGateway):
    """A card provider that answers only after the reservation was released."""

    def authorise(self, amount, reference, card=None):
        order = Order.objects.get(pk=int(reference.split()[-1]))
        assert release_reservation(order, now=order.payment_due_by + timedelta(seconds=1))
        return super().authorise(amount, reference, card)


@pytest.mark.django_db
def test_a_payment_that_arrives_after_the_release_is_voided_and_the_shopper_told(
    customer, ten_in_stock, voided, settings
):
    order = reserve(customer, ten_in_stock)
    settings.SHOP_PAYMENT_GATEWAYS = {
        "card": "tests.commerce.checkout.test_two_phase.ExpiringWhileAuthorising",
    }

    with pytest.raises(ReservationReleased):
        pay_order(order, TEST_CARD)

    assert [payment.amount_captured for payment in voided] == [Decimal("200.00")]
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.checkout_detail.payment_token == ""
    assert stock_of(ten_in_stock) == 10


@pytest.mark.django_db
def test_the_command_and_the_task_release_what_is_due(customer, ten_in_stock, capsys):
    expire(reserve(customer, ten_in_stock))
    call_command("release_expired_reservations")
    assert capsys.readouterr().out == "Released 1 expired reservation.\n"

    expire(reserve(customer, ten_in_stock))
    result = release_expired_reservations_task.enqueue()
    assert result.return_value == 1
    assert stock_of(ten_in_stock) == 10


@pytest.mark.django_db
def test_staff_cannot_move_an_order_awaiting_payment(customer, ten_in_stock):
    order = reserve(customer, ten_in_stock)
    for status in (OrderStatus.PAID, OrderStatus.CANCELLED):
        with pytest.raises(StatusChangeRefused, match="awaits the customer's payment"):
            change_status(order, status)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert stock_of(ten_in_stock) == 8


@pytest.mark.django_db
def test_the_pay_page_pays_the_order_and_the_order_list_offers_it(
    customer_client, customer, ten_in_stock
):
    order = reserve(customer, ten_in_stock)
    orders_page = customer_client.get("/accounts/orders/").content.decode()
    assert f'href="/checkout/pay/{order.number}/">Pay now</a>' in orders_page

    page = customer_client.get(f"/checkout/pay/{order.number}/")
    assert "Pay $200.00" in page.content.decode()
    declined = customer_client.post(
        f"/checkout/pay/{order.number}/",
        {**GOOD_CARD_FORM, "card_number": "4000 0000 0000 0002"},
    )
    assert "Your card was declined by the bank." in declined.content.decode()
    assert customer_client.get(f"/accounts/orders/{order.number}/invoice.pdf").status_code == 404

    paid = customer_client.post(f"/checkout/pay/{order.number}/", GOOD_CARD_FORM)

    assert paid["Location"] == f"/checkout/thank-you/{order.number}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_another_customers_pay_page_is_not_found(client, customer, ten_in_stock):
    order = reserve(customer, ten_in_stock)
    client.force_login(make_customer("grace", "Grace Hopper").user)

    assert client.get(f"/checkout/pay/{order.number}/").status_code == 404
    assert client.post(f"/checkout/pay/{order.number}/", GOOD_CARD_FORM).status_code == 404
    assert client.post(f"/checkout/pay/{order.number}/back-to-cart/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.django_db
def test_back_to_cart_from_the_pay_page(customer_client, customer, ten_in_stock):
    order = reserve(customer, ten_in_stock)

    response = customer_client.post(f"/checkout/pay/{order.number}/back-to-cart/", follow=True)

    assert response.redirect_chain[-1][0] == "/cart/"
    assert (f"Order {order.number} was cancelled and its products are back in your cart."
            in response.content.decode())
    assert CustomerCart(customer).quantities() == {variant_of(ten_in_stock).pk: 2}
    assert stock_of(ten_in_stock) == 10


@pytest.mark.django_db
def test_an_expired_pay_page_sends_the_shopper_back_to_the_cart(
    customer_client, customer, ten_in_stock
):
    order = reserve(customer, ten_in_stock)
    expire(order)

    response = customer_client.get(f"/checkout/pay/{order.number}/", follow=True)

    assert response.redirect_chain[-1][0] == "/cart/"
    assert "has expired" in response.content.decode()
    assert stock_of(ten_in_stock) == 10


# On PostgreSQL, with real row locks and connections.

class LockProbingGateway(TestCardGateway):
    """A card provider that, while it is being asked, checks from another connection that
    the products of the order can be locked at once (NOWAIT): nobody else waits for it."""

    probes = []

    def authorise(self, amount, reference, card=None):
        order = Order.objects.get(pk=int(reference.split()[-1]))
        product_ids = list(order.items.values_list("product", flat=True))

        def probe():
            try:
                with transaction.atomic():
                    locked = ProductPage.objects.select_for_update(
                        nowait=True, of=("self",)
                    ).filter(pk__in=product_ids)
                    self.probes.append(len(locked))
            except DatabaseError as error:
                self.probes.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join(timeout=30)
        return super().authorise(amount, reference, card)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_no_product_row_is_locked_while_the_provider_is_asked(
    customer, ten_in_stock, settings
):
    settings.SHOP_PAYMENT_GATEWAYS = {
        "card": "tests.commerce.checkout.test_two_phase.LockProbingGateway",
    }
    LockProbingGateway.probes = []

    order = reserve(customer, ten_in_stock, card=TEST_CARD)

    assert LockProbingGateway.probes == [1]
    assert order.status == OrderStatus.PAID
    assert stock_of(ten_in_stock) == 8


class SlowApprovingGateway(TestCardGateway):
    """Approves every card, after a pause in which the expiry may run."""

    pause = threading.Event()

    def authorise(self, amount, reference, card=None):
        self.pause.wait(timeout=0.2)
        return super().authorise(amount, reference, card)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(4))
def test_a_payment_and_an_expiry_at_once_end_one_way_only(
    customer, ten_in_stock, settings, voided, run_together, attempt
):
    order = reserve(customer, ten_in_stock)
    settings.SHOP_PAYMENT_GATEWAYS = {
        "card": "tests.commerce.checkout.test_two_phase.SlowApprovingGateway",
    }
    # The expiry treats the order as due; the payment, started in time, does not.
    due = order.payment_due_by + timedelta(seconds=1)
    if attempt % 2:
        SlowApprovingGateway.pause.set()  # the payment may now reach the lock first
    else:
        SlowApprovingGateway.pause.clear()

    paid, released = run_together([
        lambda: pay_order(order, TEST_CARD),
        lambda: release_reservation(order, now=due),
    ])

    order.refresh_from_db()
    if released is True:
        assert isinstance(paid, ReservationReleased)
        assert order.status == OrderStatus.CANCELLED
        assert stock_of(ten_in_stock) == 10
        assert len(voided) == 1
    else:
        assert released is False
        assert isinstance(paid, Order) and paid.status == OrderStatus.PAID
        assert order.status == OrderStatus.PAID
        assert stock_of(ten_in_stock) == 8
        assert voided == []


@pytest.mark.django_db
def test_under_production_task_settings_the_worker_releases_the_reservation_when_due(
    customer, ten_in_stock, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = tasks_config("database")
    with django_capture_on_commit_callbacks(execute=True):
        order = reserve(customer, ten_in_stock)

    queued = DBTaskResult.objects.get(
        task_path="commerce.checkout.reservations.release_reservation_task"
    )
    assert queued.run_after == order.payment_due_by
    result = queued.task_result
    assert result.task.call(*result.args, **result.kwargs) is False  # not due yet
    expire(order)
    assert result.task.call(*result.args, **result.kwargs) is True

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(ten_in_stock) == 10
