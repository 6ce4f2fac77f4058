"""Abandoned-cart reminders: who gets one, when, what it says, and never twice."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from commerce.cart import carts
from commerce.cart.models import AnonymousCart
from commerce.orders.models import Order
from commerce.recovery.models import CartReminder, ReminderOutcome
from commerce.recovery.reminders import send_cart_reminders, send_cart_reminders_task
from home.shared.unsubscribe import opt_out
from tests.factories import (
    make_customer,
    make_guest_order,
    make_placed_order,
    make_product,
    variant_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Reminded Laptop", price="999.00", stock=10)


def customer_cart(customer, *lines, hours_ago=11):
    """`customer`'s cart holding (product, units) `lines`, last changed `hours_ago`."""
    cart = carts.CustomerCart(customer)
    for product, units in lines:
        carts.add_to_cart(cart, product.pk, units)
    order = Order.objects.carts().get(customer=customer)
    Order.objects.filter(pk=order.pk).update(
        updated_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return order


def guest_cart(*lines, email="grace.guest@example.com", hours_ago=11):
    """A guest's session cart that reached checkout with `email`, last changed `hours_ago`."""
    session = SessionStore()
    cart = carts.SessionCart(session)
    for product, units in lines:
        carts.add_to_cart(cart, product.pk, units)
    AnonymousCart.objects.filter(pk=cart.current_cart().pk).update(
        email=email, updated_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return session


def restore_link(message):
    return re.search(r"https?://\S+/cart/restore/\S+/", message.body).group(0)


def test_a_customer_cart_left_for_ten_hours_gets_one_email_listing_todays_prices(
    customer, laptop, product_index
):
    mouse = make_product(product_index, "Quiet Mouse", price="25.50")
    customer_cart(customer, (laptop, 2), (mouse, 1))
    type(laptop).objects.filter(pk=laptop.pk).update(price="899.00")  # a price drop since

    assert send_cart_reminders() == 1

    [message] = mail.outbox
    assert message.to == [customer.email]
    assert message.subject == "You left something in your cart at Storefront"
    assert "Hello Ada Lovelace" in message.body
    assert "2 × Reminded Laptop: $1,798.00 ($899.00 each)" in message.body
    assert "1 × Quiet Mouse: $25.50" in message.body
    assert "$999.00" not in message.body
    assert "/cart/restore/" in message.body
    html = message.alternatives[0][0]
    assert "Reminded Laptop" in html and restore_link(message) in html


def test_a_cart_changed_less_than_the_delay_ago_waits(customer, laptop, settings):
    settings.SHOP_ABANDONED_CART_DELAY_HOURS = 10
    customer_cart(customer, (laptop, 1), hours_ago=9)

    assert send_cart_reminders() == 0
    assert send_cart_reminders(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1


def test_the_delay_is_a_setting(customer, laptop, settings):
    settings.SHOP_ABANDONED_CART_DELAY_HOURS = 2
    customer_cart(customer, (laptop, 1), hours_ago=3)

    assert send_cart_reminders() == 1


def test_a_cart_older_than_the_maximum_age_is_not_reminded(customer, laptop, settings):
    settings.SHOP_ABANDONED_CART_MAX_AGE_DAYS = 7
    customer_cart(customer, (laptop, 1), hours_ago=8 * 24)

    assert send_cart_reminders() == 0
    assert not mail.outbox


def test_running_again_sends_nothing_twice_even_after_the_cart_changes(customer, laptop):
    customer_cart(customer, (laptop, 1))
    send_cart_reminders()
    customer_cart(customer, (laptop, 1))  # changed, then abandoned again: still that cart

    assert send_cart_reminders() == 0
    assert len(mail.outbox) == 1
    assert CartReminder.objects.count() == 1


def test_a_placed_order_is_not_reminded(customer, laptop):
    make_placed_order(customer, (laptop, 1))
    Order.objects.update(updated_at=timezone.now() - timedelta(hours=11))

    assert send_cart_reminders() == 0
    assert not mail.outbox


def test_an_empty_cart_is_not_reminded(customer, laptop):
    order = customer_cart(customer, (laptop, 1))
    carts.remove_from_cart(carts.CustomerCart(customer), laptop.pk)
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(hours=11))

    assert send_cart_reminders() == 0


def test_a_guest_cart_is_reminded_once_they_gave_an_email_at_checkout(laptop):
    guest_cart((laptop, 1), email="grace.guest@example.com")
    guest_cart((laptop, 1), email="")  # never reached checkout

    assert send_cart_reminders() == 1
    [message] = mail.outbox
    assert message.to == ["grace.guest@example.com"]
    assert "1 × Reminded Laptop: $999.00" in message.body
    assert "Hello" not in message.body


def test_the_checkout_page_keeps_a_guests_email_on_their_cart(client, laptop):
    client.post("/cart/add/", {"product": laptop.pk, "quantity": 1})
    client.post("/checkout/", {"email": "grace.guest@example.com", "update_totals": "1"})

    assert AnonymousCart.objects.get().email == "grace.guest@example.com"


def test_a_guest_cart_placed_as_an_order_is_not_reminded(laptop):
    make_guest_order((laptop, 1))
    AnonymousCart.objects.update(email="grace.guest@example.com")

    assert send_cart_reminders() == 0


def test_nobody_who_unsubscribed_is_reminded_but_the_cart_counts_as_abandoned(
    customer, laptop
):
    opt_out(customer.email.upper())
    customer_cart(customer, (laptop, 1))

    assert send_cart_reminders() == 0
    assert not mail.outbox
    assert CartReminder.objects.get().outcome == ReminderOutcome.UNSUBSCRIBED


def test_the_reminder_has_a_one_click_unsubscribe_link_and_headers(customer, laptop, client):
    customer_cart(customer, (laptop, 1))
    send_cart_reminders()
    [message] = mail.outbox
    link = re.search(r"(https?://\S+)(/emails/unsubscribe/\S+/)", message.body)

    assert message.extra_headers["List-Unsubscribe"] == f"<{link.group(0)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.group(0) in message.alternatives[0][0]
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_command_and_the_task_send_the_reminders(customer, laptop, capsys, product_index):
    customer_cart(customer, (laptop, 1))
    call_command("send_cart_reminders")
    assert "Sent 1 cart reminder." in capsys.readouterr().out

    other = make_customer("bob", "Bob Builder")
    customer_cart(other, (laptop, 1))
    send_cart_reminders_task.enqueue()
    assert [message.to for message in mail.outbox] == [[customer.email], [other.email]]


def test_the_link_restores_a_guests_cart_on_another_device(client, laptop):
    guest_cart((laptop, 2))
    send_cart_reminders()
    AnonymousCart.objects.all().delete()  # the guest's session expired meanwhile

    response = client.get(restore_link(mail.outbox[0]), follow=True)

    assert "Your cart is back" in response.content.decode()
    assert carts.SessionCart(client.session).quantities() == {variant_of(laptop).pk: 2}
    client.get(restore_link(mail.outbox[0]))  # twice adds nothing
    assert carts.SessionCart(client.session).quantities() == {variant_of(laptop).pk: 2}


def test_a_customers_link_asks_them_to_log_in_then_restores_without_doubling(
    client, customer, laptop
):
    customer_cart(customer, (laptop, 2))
    send_cart_reminders()
    link = restore_link(mail.outbox[0])

    response = client.get(link)
    assert response.status_code == 302 and "/login/" in response["Location"]

    client.force_login(customer.user)
    client.get(link)
    assert carts.CustomerCart(customer).quantities() == {variant_of(laptop).pk: 2}


def test_a_tampered_link_restores_nothing(client, customer, laptop):
    guest_cart((laptop, 2))
    send_cart_reminders()

    response = client.get(restore_link(mail.outbox[0])[:-3] + "xx/", follow=True)

    assert "expired or is not valid" in response.content.decode()
    assert carts.SessionCart(client.session).quantities() == {}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_time_remind_each_cart_once(product_index, run_together):
    laptop = make_product(product_index, "Raced Laptop", stock=50)
    for number in range(4):
        customer_cart(make_customer(f"shopper{number}", f"Shopper {number}"), (laptop, 1))
    for number in range(3):
        guest_cart((laptop, 1), email=f"guest{number}@example.com")

    results = run_together([send_cart_reminders] * 4)

    assert sum(results) == 7, results
    assert len(mail.outbox) == 7
    assert len({message.to[0] for message in mail.outbox}) == 7
    assert CartReminder.objects.count() == 7
