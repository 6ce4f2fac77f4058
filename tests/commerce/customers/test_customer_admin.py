import csv
import io
import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.customers.addresses import add_address
from commerce.customers.forms import ShopPasswordResetForm
from commerce.customers.models import Customer
from commerce.orders.models import OrderStatus
from home.shared.roles import SUPPORT
from tests.factories import (
    DELIVERY,
    make_admin_user,
    make_customer,
    make_order,
    make_product,
    make_staff_user,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("wagtailsnippets_commerce_customer:list")


def listed_names(response):
    return {customer.name for customer in response.context["object_list"]}


def joined(customer, day):
    Customer.objects.filter(pk=customer.pk).update(
        created_at=timezone.make_aware(datetime(2026, 2, day, 9, 0))
    )


@pytest.fixture
def shoppers(product_index):
    laptop = make_product(product_index, "Customer Book", price="800.00")
    ada = make_customer("ada", "Ada Lovelace", phone="5550001111")
    grace = make_customer("grace", "Grace Hopper")
    make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)
    make_order(ada, [(laptop, 1)], status=OrderStatus.SHIPPED)
    make_order(grace, [(laptop, 1)], status=OrderStatus.CART)
    joined(ada, 1)
    joined(grace, 20)
    return ada, grace


def test_customer_list_counts_placed_orders_not_carts(admin_client, shoppers):
    response = admin_client.get(LIST_URL)

    counts = {customer.name: customer.orders_placed for customer in response.context["object_list"]}
    assert counts == {"Ada Lovelace": 2, "Grace Hopper": 0}


def test_customer_list_filters_by_joining_date(admin_client, shoppers):
    response = admin_client.get(LIST_URL, {"created_at_from": "2026-02-15"})

    assert listed_names(response) == {"Grace Hopper"}


@pytest.mark.parametrize(
    ("has_orders", "expected"), [("true", "Ada Lovelace"), ("false", "Grace Hopper")]
)
def test_customer_list_filters_by_whether_they_ordered(
    admin_client, shoppers, has_orders, expected
):
    response = admin_client.get(LIST_URL, {"has_orders": has_orders})

    assert listed_names(response) == {expected}


def test_customer_list_searches_name_email_and_phone(admin_client, shoppers):
    assert listed_names(admin_client.get(LIST_URL, {"q": "hopper"})) == {"Grace Hopper"}
    assert listed_names(admin_client.get(LIST_URL, {"q": "0001111"})) == {"Ada Lovelace"}


def test_customer_csv_export(admin_client, shoppers):
    response = admin_client.get(LIST_URL, {"export": "csv", "has_orders": "true"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["Name", "Email", "Phone", "Orders", "Joined"],
        ["Ada Lovelace", "ada@example.com", "5550001111", "2", "2026-02-01 09:00"],
    ]


def test_customer_inspect_lists_their_orders_for_staff_who_see_orders(staff_client, shoppers):
    ada, _grace = shoppers
    client = staff_client(SUPPORT)

    html = client.get(
        reverse("wagtailsnippets_commerce_customer:inspect", args=[ada.pk])
    ).content.decode()

    assert "ada@example.com" in html
    assert html.count("$800.00") == 2
    assert f"?customer={ada.pk}" in html
    latest = re.search(r'id="customer-orders-heading".*?</table>', html, re.S).group(0)
    assert re.findall(r"<th\b[^>]*>\s*(.*?)\s*</th>", latest, re.S) == [
        "Order", "Placed", "Status", "Total"
    ]
    order = ada.orders.not_carts().order_by("-date_ordered").first()
    order_url = reverse("wagtailsnippets_commerce_order:inspect", args=[order.pk])
    assert re.search(rf'<a href="{order_url}">\s*{order.number}\s*</a>', latest)


def test_customer_inspect_shows_their_address_book_by_state_name(staff_client, shoppers):
    ada, grace = shoppers
    add_address(ada, recipient_name="Ada at home", **{**DELIVERY, "state": "OR"})
    add_address(grace, recipient_name="Grace at work", **DELIVERY)

    html = staff_client(SUPPORT).get(
        reverse("wagtailsnippets_commerce_customer:inspect", args=[ada.pk])
    ).content.decode()

    assert "Ada at home<br>1 Market Street<br>Springfield, Oregon 62701" in html
    assert "(default)" in html
    assert "Grace at work" not in html


def test_support_sees_customers_but_cannot_edit_them(staff_client, shoppers):
    ada, _grace = shoppers
    client = staff_client(SUPPORT)

    response = client.post(
        reverse("wagtailsnippets_commerce_customer:edit", args=[ada.pk]),
        {"name": "Changed", "email": "changed@example.com", "phone": ""},
    )

    ada.refresh_from_db()
    assert response["Location"] == reverse("wagtailadmin_home")
    assert ada.name == "Ada Lovelace"


def test_a_superuser_corrects_a_phone_number_typed_with_separators(admin_client, shoppers):
    ada, _grace = shoppers

    admin_client.post(
        reverse("wagtailsnippets_commerce_customer:edit", args=[ada.pk]),
        {"name": "Ada King", "email": "ada@example.com", "phone": "(555) 222-3333"},
    )

    ada.refresh_from_db()
    assert (ada.name, ada.phone) == ("Ada King", "5552223333")


def test_a_bad_phone_number_is_refused_with_the_reason(admin_client, shoppers):
    ada, _grace = shoppers

    response = admin_client.post(
        reverse("wagtailsnippets_commerce_customer:edit", args=[ada.pk]),
        {"name": "Ada King", "email": "ada@example.com", "phone": "12"},
    )

    ada.refresh_from_db()
    assert "Enter a 10-digit phone number" in response.content.decode()
    assert ada.name == "Ada Lovelace"


def test_customers_are_not_added_or_deleted_from_the_admin(admin_client, shoppers):
    ada, _grace = shoppers

    admin_client.post(reverse("wagtailsnippets_commerce_customer:delete", args=[ada.pk]))

    assert Customer.objects.filter(pk=ada.pk).exists()
    assert admin_client.get(reverse("wagtailsnippets_commerce_customer:add")).status_code == 302



@pytest.fixture
def customer_editor(client):
    """A staff member allowed to correct customers' details, logged in."""
    client.force_login(make_admin_user(
        "clerk", ["commerce.view_customer", "commerce.change_customer"]
    ))
    return client


def edit_customer(client, customer, **changes):
    data = {"name": customer.name, "email": customer.email, "phone": customer.phone, **changes}
    return client.post(reverse("wagtailsnippets_commerce_customer:edit", args=[customer.pk]), data)


def test_staff_correcting_an_email_moves_the_customers_login_account_with_it(
    customer_editor, shoppers
):
    ada, _grace = shoppers
    Customer.objects.filter(pk=ada.pk).update(email_confirmed_at=timezone.now())

    response = edit_customer(customer_editor, ada, email="ada.king@example.com")

    assert response.status_code == 302
    ada.refresh_from_db()
    ada.user.refresh_from_db()
    assert (ada.email, ada.user.email) == ("ada.king@example.com", "ada.king@example.com")
    assert ada.email_confirmed_at is None  # she confirmed the old address, not this one
    assert list(ShopPasswordResetForm().get_users("ada.king@example.com")) == [ada.user]


@pytest.mark.parametrize("taken", ["GRACE@example.com", "moderator@example.com"])
def test_an_email_another_account_uses_is_refused_and_nothing_is_saved(
    customer_editor, shoppers, taken
):
    ada, _grace = shoppers
    make_staff_user("moderator")  # a login account with no customer

    response = edit_customer(customer_editor, ada, name="Ada King", email=taken)

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Another account already uses this email address."
    ]
    ada.refresh_from_db()
    ada.user.refresh_from_db()
    assert (ada.name, ada.email, ada.user.email) == (
        "Ada Lovelace", "ada@example.com", "ada@example.com"
    )
