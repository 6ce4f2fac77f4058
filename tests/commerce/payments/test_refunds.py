"""Refunds staff make from the admin: partial or full, through the gateway that took the
payment, bounded by what remains, with units optionally put back in stock."""

from decimal import Decimal

import pytest
from django.db import connection
from wagtail.log_actions import registry as log_registry

from commerce.checkout.models import CheckoutDetail
from commerce.orders.models import Order, OrderStatus
from commerce.orders.refund_order import refund_order
from commerce.orders.status import StatusChangeRefused, change_status
from commerce.payments.gateways import RefundFailed
from commerce.payments.models import PaymentStatus, Refund, RefundStatus
from commerce.payments.refunds import LOG_ACTION_REFUND, RefundRefused
from commerce.payments.testcard import TestCardGateway
from tests.factories import make_customer, make_placed_order, make_product, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(product_index):
    return make_product(product_index, "Hundred Dollar Book", price="100.00", stock=10)


@pytest.fixture
def clerk(db):
    return make_staff_user("clerk", superuser=False)


@pytest.fixture
def card_order(customer, book):
    """A $100 order paid by card."""
    return make_placed_order(customer, (book, 1), payment_method="card")


def payment(order):
    return CheckoutDetail.objects.get(order=order)


def test_a_partial_refund_then_the_rest_then_no_more(card_order, clerk, provider):
    refund_order(card_order, Decimal("30.00"), "Scratched cover", user=clerk)
    assert (payment(card_order).amount_refunded, payment(card_order).refundable_amount) == (
        Decimal("30.00"), Decimal("70.00")
    )
    assert payment(card_order).payment_status == PaymentStatus.AUTHORISED

    refund_order(card_order, Decimal("70.00"), "Returned", user=clerk)

    assert payment(card_order).payment_status == PaymentStatus.REFUNDED
    with pytest.raises(RefundRefused, match="Nothing is left to refund"):
        refund_order(card_order, Decimal("0.01"), "One more", user=clerk)
    assert [amount for _token, amount, _key in provider.requests] == [
        Decimal("30.00"), Decimal("70.00")
    ]
    assert provider.total_paid == Decimal("100.00")


def test_refunding_more_than_remains_is_refused_and_changes_nothing(card_order, clerk, provider):
    refund_order(card_order, Decimal("60.00"), "Late delivery", user=clerk)

    with pytest.raises(RefundRefused, match=r"\$40.01 is more than the \$40.00 left to refund"):
        refund_order(card_order, Decimal("40.01"), "Too much", user=clerk)

    assert payment(card_order).amount_refunded == Decimal("60.00")
    assert Refund.objects.count() == 1
    assert len(provider.requests) == 1


def test_each_refund_keeps_its_amount_reason_and_staff_member_and_is_in_the_history(
    card_order, clerk, provider
):
    refund_order(card_order, Decimal("25.00"), "Scratched cover", user=clerk)

    (refund,) = Refund.objects.all()
    assert (refund.amount, refund.reason, refund.created_by, refund.status) == (
        Decimal("25.00"), "Scratched cover", clerk, RefundStatus.SUCCEEDED
    )
    (entry,) = log_registry.get_logs_for_instance(card_order).filter(action=LOG_ACTION_REFUND)
    assert (entry.message, entry.user) == ("$25.00 refunded: Scratched cover", clerk)


def test_restocking_puts_units_back_once_and_never_more_than_the_line_took(
    customer, book, clerk, provider
):
    order = make_placed_order(customer, (book, 3), payment_method="card")
    line = order.items.get()
    book.refresh_from_db()
    assert book.stock == 7

    refund_order(order, Decimal("10.00"), "Two returned", user=clerk, restock={line.pk: 2})
    book.refresh_from_db()
    assert book.stock == 9

    with pytest.raises(RefundRefused, match="cannot go back in stock"):
        refund_order(order, Decimal("10.00"), "Two more", user=clerk, restock={line.pk: 2})
    book.refresh_from_db()
    assert book.stock == 9
    assert len(provider.requests) == 1  # refused before the provider was asked

    change_status(Order.objects.get(pk=order.pk), OrderStatus.CANCELLED)

    book.refresh_from_db()
    assert book.stock == 10  # the one unit left, not three
    messages = [entry.message for entry in log_registry.get_logs_for_instance(order)]
    assert "Put back in stock: 2 × Hundred Dollar Book" in messages


def test_a_refund_the_provider_refuses_says_why_and_can_be_made_again(
    card_order, clerk, monkeypatch
):
    def card_account_closed(self, token, amount, idempotency_key):
        raise RefundFailed("The card account is closed.")

    monkeypatch.setattr(TestCardGateway, "refund", card_account_closed)
    with pytest.raises(RefundRefused, match="nothing was given back. The card account is closed"):
        refund_order(card_order, Decimal("40.00"), "Broken", user=clerk)

    assert payment(card_order).amount_refunded == Decimal("0.00")
    assert list(Refund.objects.values_list("status", flat=True)) == [RefundStatus.FAILED]

    monkeypatch.undo()
    refund_order(card_order, Decimal("40.00"), "Broken", user=clerk)

    assert payment(card_order).amount_refunded == Decimal("40.00")


def test_a_refund_the_provider_did_not_answer_is_retried_with_the_same_key(
    card_order, clerk, provider, monkeypatch
):
    def times_out(self, token, amount, idempotency_key):
        provider.refund(token, amount, idempotency_key)  # paid, but the answer is lost
        raise TimeoutError

    monkeypatch.setattr(TestCardGateway, "refund", times_out)
    with pytest.raises(RefundRefused, match="did not answer"):
        refund_order(card_order, Decimal("40.00"), "Broken", user=clerk)
    with pytest.raises(RefundRefused, match="still waiting"):
        refund_order(card_order, Decimal("50.00"), "Broken", user=clerk)

    monkeypatch.setattr(TestCardGateway, "refund", provider.refund)
    refund_order(card_order, Decimal("40.00"), "Broken", user=clerk)

    assert len({key for _token, _amount, key in provider.requests}) == 1
    assert provider.total_paid == Decimal("40.00")
    assert payment(card_order).amount_refunded == Decimal("40.00")


def test_cancelling_after_a_partial_refund_gives_back_the_rest(card_order, clerk, provider):
    refund_order(card_order, Decimal("30.00"), "Scratched cover", user=clerk)

    change_status(card_order, OrderStatus.CANCELLED, user=clerk)

    assert provider.total_paid == Decimal("100.00")
    assert payment(card_order).payment_status == PaymentStatus.REFUNDED


def test_an_unconfirmed_partial_refund_must_be_retried_before_the_order_is_cancelled(
    card_order, clerk, provider, monkeypatch
):
    def times_out(self, token, amount, idempotency_key):
        raise TimeoutError

    monkeypatch.setattr(TestCardGateway, "refund", times_out)
    with pytest.raises(RefundRefused):
        refund_order(card_order, Decimal("30.00"), "Scratched cover", user=clerk)
    monkeypatch.setattr(TestCardGateway, "refund", provider.refund)

    with pytest.raises(StatusChangeRefused, match="Retry it from the order's Refund page"):
        change_status(card_order, OrderStatus.CANCELLED, user=clerk)
    refund_order(card_order, Decimal("30.00"), "Scratched cover", user=clerk)
    change_status(card_order, OrderStatus.CANCELLED, user=clerk)

    assert provider.total_paid == Decimal("100.00")
    assert payment(card_order).payment_status == PaymentStatus.REFUNDED


def test_cash_not_collected_yet_has_nothing_to_refund(customer, book, clerk):
    order = make_placed_order(customer, (book, 1), payment_method="cod")

    with pytest.raises(RefundRefused, match="Nothing is left to refund"):
        refund_order(order, Decimal("10.00"), "Goodwill", user=clerk)

    assert not Refund.objects.exists()


def test_cash_the_courier_collected_can_be_partly_given_back(customer, book, clerk):
    order = make_placed_order(customer, (book, 1), payment_method="cod")
    change_status(order, OrderStatus.SHIPPED)
    change_status(order, OrderStatus.COMPLETED)  # delivered and paid

    refund_order(order, Decimal("20.00"), "Handed back at the counter", user=clerk)

    assert (payment(order).amount_refunded, payment(order).refundable_amount) == (
        Decimal("20.00"), Decimal("80.00")
    )


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks (SELECT FOR UPDATE)"
)
@pytest.mark.django_db(transaction=True)
def test_two_staff_refunding_all_that_remains_at_once_refund_it_once(
    product_index, provider, run_together
):
    book = make_product(product_index, "Contested Book", price="100.00", stock=3)
    order = make_placed_order(make_customer(), (book, 1), payment_method="card")
    ann, bob = make_staff_user("ann", superuser=False), make_staff_user("bob", superuser=False)

    def refund_all(user):
        return lambda: refund_order(
            Order.objects.get(pk=order.pk), Decimal("100.00"), "Both at once", user=user
        )

    outcomes = run_together([refund_all(ann), refund_all(bob)])

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["RefundMade",
                                                                      "RefundRefused"]
    assert Refund.objects.count() == 1
    assert provider.total_paid == Decimal("100.00")
    assert payment(order).amount_refunded == Decimal("100.00")
