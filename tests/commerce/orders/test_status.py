import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from wagtail.log_actions import registry as log_registry
from wagtail.models import Site

from commerce.checkout.models import CheckoutDetail
from commerce.orders import status as order_status
from commerce.orders.models import Order, OrderStatus
from commerce.orders.status import StatusChangeRefused, change_status
from commerce.payments.models import PaymentMethod, PaymentStatus, Refund, RefundStatus
from commerce.payments.refunds import LOG_ACTION_REFUND, record_cash_collected
from commerce.payments.testcard import TestCardGateway
from commerce.promotions.models import BulkDiscountSettings
from commerce.reports.sales import sales_figures
from tests.factories import make_customer, make_order, make_placed_order, make_product

pytestmark = pytest.mark.django_db

CARD, COD = PaymentMethod.CARD, PaymentMethod.CASH_ON_DELIVERY
# Every move staff may make, per payment method; every other move is refused.
ALLOWED = {
    CARD: [
        (OrderStatus.PLACED, OrderStatus.PAID),
        (OrderStatus.PAID, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.COMPLETED),
        (OrderStatus.PLACED, OrderStatus.CANCELLED),
        (OrderStatus.PAID, OrderStatus.CANCELLED),
    ],
    COD: [
        # Ships unpaid; delivered and paid in one step.
        (OrderStatus.PLACED, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.COMPLETED),
        (OrderStatus.PLACED, OrderStatus.CANCELLED),
        # Orders marked paid before cash on delivery could ship unpaid.
        (OrderStatus.PAID, OrderStatus.SHIPPED),
        (OrderStatus.PAID, OrderStatus.CANCELLED),
    ],
}
REFUSED = [
    (method, old, new)
    for method in (CARD, COD)
    for old in OrderStatus
    for new in OrderStatus
    if (old, new) not in ALLOWED[method]
]


def order_paid_by(customer, method, status):
    """An order in `status` with payment details: a captured card, or cash not collected."""
    if method == COD:
        return make_order(
            customer, status=status, checkout=True, payment_method=COD,
            payment_status=PaymentStatus.PENDING,
        )
    return make_order(customer, status=status, checkout=True)


@pytest.mark.parametrize(
    ("method", "old", "new"),
    [(method, old, new) for method, moves in ALLOWED.items() for old, new in moves],
)
def test_staff_can_make_each_allowed_move(customer, method, old, new):
    order = order_paid_by(customer, method, old)

    change_status(order, new)

    order.refresh_from_db()
    assert order.status == new


@pytest.mark.parametrize(("method", "old", "new"), REFUSED)
def test_every_other_move_is_refused_and_the_status_stays(customer, method, old, new):
    order = order_paid_by(customer, method, old)

    with pytest.raises(StatusChangeRefused):
        change_status(order, new)

    order.refresh_from_db()
    assert order.status == old


def test_the_table_names_exactly_the_allowed_moves():
    for method in (CARD, COD):
        moves = order_status.TRANSITIONS[method]
        table = {(old, new) for old, targets in moves.items() for new in targets}
        assert table == set(ALLOWED[method]), method


@pytest.mark.parametrize(
    ("method", "old", "new"),
    [
        (CARD, OrderStatus.PLACED, OrderStatus.SHIPPED),
        (COD, OrderStatus.PLACED, OrderStatus.PAID),
        (COD, OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        (COD, OrderStatus.COMPLETED, OrderStatus.CANCELLED),
    ],
)
def test_no_staff_button_offers_a_refused_move(customer, method, old, new):
    order = order_paid_by(customer, method, old)

    assert new not in order_status.allowed_transitions(order)


def test_an_order_without_payment_details_moves_as_a_card_order(customer):
    order = make_order(customer, status=OrderStatus.PLACED)

    assert order_status.allowed_transitions(order) == (
        OrderStatus.PAID, OrderStatus.CANCELLED
    )


def test_a_cash_on_delivery_order_is_delivered_and_paid_on_one_button(customer):
    order = order_paid_by(customer, COD, OrderStatus.SHIPPED)
    card_order = order_paid_by(customer, CARD, OrderStatus.SHIPPED)

    assert order_status.action_label(order, OrderStatus.COMPLETED) == "Mark delivered and paid"
    assert order_status.action_label(card_order, OrderStatus.COMPLETED) == "Mark completed"


def test_a_shipped_cash_on_delivery_order_cannot_be_cancelled(customer):
    order = order_paid_by(customer, COD, OrderStatus.SHIPPED)

    with pytest.raises(StatusChangeRefused, match="already shipped, so it can no longer be"):
        change_status(order, OrderStatus.CANCELLED)


def test_a_cash_on_delivery_order_ships_unpaid_then_is_paid_on_delivery(
    customer, hundred_dollar_laptop
):
    order = make_placed_order(customer, (hundred_dollar_laptop, 1), payment_method="cod")

    change_status(order, OrderStatus.SHIPPED)
    detail = CheckoutDetail.objects.get(order=order)
    assert detail.payment_status == PaymentStatus.PENDING

    change_status(order, OrderStatus.COMPLETED)

    detail.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert (detail.payment_status, detail.amount_captured) == (
        PaymentStatus.PAID, Decimal("100.00")
    )
    sold = sales_figures()
    assert (sold.orders_today, sold.revenue_today) == (1, Decimal("100.00"))


def test_shipping_records_the_carrier_and_tracking_number_in_the_history(customer):
    order = order_paid_by(customer, CARD, OrderStatus.PAID)

    change_status(order, OrderStatus.SHIPPED, carrier="UPS", tracking_number="1Z999AA10123456784")

    order.refresh_from_db()
    assert (order.carrier, order.tracking_number) == ("UPS", "1Z999AA10123456784")
    assert order.shipped_at is not None
    entry = log_registry.get_logs_for_instance(order).get(action=order_status.LOG_ACTION)
    assert entry.message == (
        "Status changed from paid to shipped (UPS 1Z999AA10123456784)"
    )


def test_cancelling_a_shipped_order_says_it_has_already_shipped(customer):
    order = make_order(customer, status=OrderStatus.SHIPPED)

    with pytest.raises(StatusChangeRefused, match="already shipped, so it can no longer be"):
        change_status(order, OrderStatus.CANCELLED)


def test_skipping_a_step_says_what_the_order_can_become(customer):
    order = make_order(customer, status=OrderStatus.PLACED)

    with pytest.raises(StatusChangeRefused) as refusal:
        change_status(order, OrderStatus.SHIPPED)

    assert str(refusal.value) == (
        f"Order {order.number} is placed and cannot be marked shipped; "
        "it can only be marked paid or cancelled."
    )


def test_an_unknown_status_is_refused_by_name(customer):
    order = make_order(customer)

    with pytest.raises(StatusChangeRefused, match="“lost” is not an order status"):
        change_status(order, "lost")


def test_a_cart_cannot_be_moved_by_staff(customer):
    cart = make_order(customer, status=OrderStatus.CART)

    with pytest.raises(StatusChangeRefused, match="only checkout can place it"):
        change_status(cart, OrderStatus.PAID)


def stock_of(*products):
    for product in products:
        product.refresh_from_db()
    return tuple(product.stock for product in products)


@pytest.mark.parametrize("status", [OrderStatus.PLACED, OrderStatus.PAID])
def test_cancelling_puts_every_unit_back_in_stock(customer, product_index, status):
    laptop = make_product(product_index, "Stocked Book", stock=3)
    mouse = make_product(product_index, "Stocked Mouse", price="25.00", stock=1)
    # A card order is paid at checkout; cash on delivery is placed.
    method = "card" if status == OrderStatus.PAID else "cod"
    order = make_placed_order(customer, (laptop, 2), (mouse, 1), payment_method=method)
    assert order.status == status
    assert stock_of(laptop, mouse) == (1, 0)

    change_status(order, OrderStatus.CANCELLED)

    assert stock_of(laptop, mouse) == (3, 1)


def test_cancelling_leaves_untracked_stock_untracked(customer, product_index):
    service = make_product(product_index, "Setup Service", price="49.00", stock=None)
    order = make_placed_order(customer, (service, 1))

    change_status(order, OrderStatus.CANCELLED)

    assert stock_of(service) == (None,)


def test_a_refused_cancel_puts_nothing_back(customer, product_index):
    laptop = make_product(product_index, "Shipped Book", stock=4)
    order = make_placed_order(customer, (laptop, 2))
    change_status(order, OrderStatus.SHIPPED)

    with pytest.raises(StatusChangeRefused):
        change_status(order, OrderStatus.CANCELLED)

    assert stock_of(laptop) == (2,)


def test_cancelling_twice_restocks_once(customer, product_index):
    laptop = make_product(product_index, "Double Cancel Book", stock=2)
    order = make_placed_order(customer, (laptop, 1))
    stale_copy = type(order).objects.get(pk=order.pk)

    change_status(order, OrderStatus.CANCELLED)
    with pytest.raises(StatusChangeRefused):
        change_status(stale_copy, OrderStatus.CANCELLED)

    laptop.refresh_from_db()
    assert laptop.stock == 2


def test_each_change_is_in_the_orders_wagtail_history_with_who_made_it(customer):
    clerk = get_user_model().objects.create_user("clerk", "clerk@shop.example", "pw")
    order = make_order(customer, status=OrderStatus.PLACED)

    change_status(order, OrderStatus.PAID, user=clerk)
    change_status(order, OrderStatus.SHIPPED, user=clerk)

    entries = log_registry.get_logs_for_instance(order).order_by("timestamp", "pk")
    assert [entry.message for entry in entries] == [
        "Status changed from placed to paid",
        "Status changed from paid to shipped",
    ]
    assert {entry.user for entry in entries} == {clerk}


def test_a_refused_change_leaves_no_history(customer):
    order = make_order(customer, status=OrderStatus.COMPLETED)

    with pytest.raises(StatusChangeRefused):
        change_status(order, OrderStatus.PAID)

    assert not log_registry.get_logs_for_instance(order).exists()


@pytest.fixture
def hundred_dollar_laptop(product_index):
    return make_product(product_index, "Hundred Dollar Laptop", price="100.00", stock=10)


def test_cancelling_gives_back_what_the_card_was_charged(customer, hundred_dollar_laptop,
                                                          provider):
    # 4 x $100 with the bulk discount: $400 before, $320 charged.
    order = make_placed_order(customer, (hundred_dollar_laptop, 4), payment_method="card")
    detail = order.checkout_detail

    change_status(order, OrderStatus.CANCELLED)

    assert [(token, amount) for token, amount, _key in provider.requests] == [
        (detail.payment_token, Decimal("320.00"))
    ]
    detail.refresh_from_db()
    assert (detail.payment_status, detail.amount_refunded) == (
        PaymentStatus.REFUNDED, Decimal("320.00")
    )


def test_switching_the_discount_off_after_a_sale_does_not_raise_its_refund(
    customer, hundred_dollar_laptop, provider
):
    order = make_placed_order(customer, (hundred_dollar_laptop, 4), payment_method="card")
    BulkDiscountSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"enabled": False}
    )
    order.items.get().save()  # any later save of a line of the placed order

    change_status(order, OrderStatus.CANCELLED)

    order.refresh_from_db()
    assert order.total == Decimal("320.00")
    assert provider.total_paid == Decimal("320.00")


def test_a_cancellation_that_fails_after_the_refund_never_refunds_twice(
    customer, hundred_dollar_laptop, provider, monkeypatch
):
    order = make_placed_order(customer, (hundred_dollar_laptop, 4), payment_method="card")
    real_log = order_status.log
    calls = []

    def log_fails_the_first_time(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real_log(*args, **kwargs)

    monkeypatch.setattr(order_status, "log", log_fails_the_first_time)
    with pytest.raises(RuntimeError):
        change_status(order, OrderStatus.CANCELLED)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    change_status(order, OrderStatus.CANCELLED)  # staff try again

    assert len({key for _token, _amount, key in provider.requests}) == 1
    assert provider.total_paid == Decimal("320.00")
    detail = CheckoutDetail.objects.get(order=order)
    assert detail.amount_refunded == Decimal("320.00")
    assert list(Refund.objects.values_list("status", "amount")) == [
        (RefundStatus.SUCCEEDED, Decimal("320.00"))
    ]
    assert log_registry.get_logs_for_instance(order).filter(action=LOG_ACTION_REFUND).count() == 1


def test_a_refund_is_recorded_pending_with_its_key_before_the_gateway_is_asked(
    customer, hundred_dollar_laptop, monkeypatch
):
    seen = []

    def provider_times_out(self, token, amount, idempotency_key):
        seen.append(list(Refund.objects.values_list("status", "idempotency_key")))
        raise TimeoutError

    monkeypatch.setattr(TestCardGateway, "refund", provider_times_out)
    order = make_placed_order(customer, (hundred_dollar_laptop, 1), payment_method="card")

    for _attempt in range(2):
        with pytest.raises(StatusChangeRefused, match="will not be refunded twice"):
            change_status(order, OrderStatus.CANCELLED)

    (refund,) = Refund.objects.all()
    assert seen == [[(RefundStatus.PENDING, refund.idempotency_key)]] * 2
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_refund_is_in_the_orders_history(customer, hundred_dollar_laptop, provider):
    clerk = get_user_model().objects.create_user("clerk", "clerk@shop.example", "pw")
    order = make_placed_order(customer, (hundred_dollar_laptop, 1), payment_method="card")

    change_status(order, OrderStatus.CANCELLED, user=clerk)

    entries = log_registry.get_logs_for_instance(order).order_by("timestamp", "pk")
    assert [(entry.message, entry.user) for entry in entries] == [
        ("Status changed from awaiting payment to paid", None),  # the customer paid
        ("$100.00 refunded", clerk),
        ("Status changed from paid to cancelled", clerk),
    ]


def mark_paid_before_shipping(order):
    """As staff once marked a cash-on-delivery order paid while placed (no longer allowed)."""
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    record_cash_collected(order)
    order.refresh_from_db()


def test_cancelling_a_cash_order_marked_paid_refunds_nothing_through_a_gateway(
    customer, hundred_dollar_laptop
):
    order = make_placed_order(customer, (hundred_dollar_laptop, 1), payment_method="cod")
    mark_paid_before_shipping(order)

    change_status(order, OrderStatus.CANCELLED)

    # Staff hand the cash back; the shop records no refund it did not make.
    assert not Refund.objects.exists()
    detail = CheckoutDetail.objects.get(order=order)
    assert (detail.payment_status, detail.amount_refunded) == (PaymentStatus.PAID, Decimal("0"))
    assert not log_registry.get_logs_for_instance(order).filter(action=LOG_ACTION_REFUND).exists()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks (SELECT FOR UPDATE)"
)
@pytest.mark.django_db(transaction=True)
def test_two_staff_cancelling_at_once_put_the_stock_back_once(monkeypatch, product_index):
    laptop = make_product(product_index, "Contested Book", stock=3)
    order = make_placed_order(make_customer(), (laptop, 3))
    first_has_restocked = threading.Event()
    first_may_commit = threading.Event()
    real_release_stock = order_status.release_stock

    def release_stock_then_wait(order, **reason_and_user):
        real_release_stock(order, **reason_and_user)
        if threading.current_thread().name == "first":
            first_has_restocked.set()
            first_may_commit.wait(timeout=10)

    monkeypatch.setattr(order_status, "release_stock", release_stock_then_wait)
    outcomes = {}

    def cancel():
        name = threading.current_thread().name
        try:
            change_status(type(order).objects.get(pk=order.pk), OrderStatus.CANCELLED)
            outcomes[name] = "cancelled"
        except StatusChangeRefused:
            outcomes[name] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=cancel, name="first")
    second = threading.Thread(target=cancel, name="second")
    first.start()
    assert first_has_restocked.wait(timeout=10)
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second cancel must wait for the first one's lock"
    first_may_commit.set()
    first.join(timeout=10)
    second.join(timeout=10)

    laptop.refresh_from_db()
    assert outcomes == {"first": "cancelled", "second": "refused"}
    assert laptop.stock == 3
