import csv
import html
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.log_actions import registry as log_registry

from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from commerce.payments.models import PaymentStatus
from commerce.pricing import format_money
from home.shared.roles import FULFILMENT, SUPPORT
from tests.factories import make_customer, make_order, make_placed_order, make_product

pytestmark = pytest.mark.django_db

LIST_URL = reverse("wagtailsnippets_commerce_order:list")


def inspect_url(order):
    return reverse("wagtailsnippets_commerce_order:inspect", args=[order.pk])


def status_url(order):
    return reverse("wagtailsnippets_commerce_order:status", args=[order.pk])


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def listed_numbers(response):
    return {order.number for order in response.context["object_list"]}




@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Analytical Book", price="1200.00", stock=5)


@pytest.fixture
def fulfilment_client(staff_client):
    return staff_client(FULFILMENT)


def on(day):
    return timezone.make_aware(datetime(2026, 3, day, 10, 0))


def test_order_list_shows_placed_orders_but_never_carts(admin_client, ada, laptop):
    placed = make_order(ada, [(laptop, 1)])
    make_order(ada, [(laptop, 1)], status=OrderStatus.CART)

    response = admin_client.get(LIST_URL)

    assert listed_numbers(response) == {placed.number}
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "$1,200.00" in html


def test_order_list_filters_by_status(admin_client, ada, laptop):
    paid = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)
    make_order(ada, [(laptop, 1)], status=OrderStatus.SHIPPED)

    response = admin_client.get(LIST_URL, {"status": "paid"})

    assert listed_numbers(response) == {paid.number}


def test_order_list_filters_by_date_range(admin_client, ada, laptop):
    make_order(ada, [(laptop, 1)], date_ordered=on(1))
    in_range = make_order(ada, [(laptop, 1)], date_ordered=on(10))
    make_order(ada, [(laptop, 1)], date_ordered=on(20))

    response = admin_client.get(
        LIST_URL, {"date_ordered_from": "2026-03-05", "date_ordered_to": "2026-03-15"}
    )

    assert listed_numbers(response) == {in_range.number}


def test_order_list_filters_by_customer(admin_client, ada, grace, laptop):
    make_order(ada, [(laptop, 1)])
    graces = make_order(grace, [(laptop, 1)])

    response = admin_client.get(LIST_URL, {"customer": grace.pk})

    assert listed_numbers(response) == {graces.number}


@pytest.mark.parametrize("query", ["Hopper", "grace@example", "order number"])
def test_order_list_searches_number_customer_name_and_email(
    admin_client, ada, grace, laptop, query
):
    graces = make_order(grace, [(laptop, 1)])
    make_order(ada, [(laptop, 1)])

    if query == "order number":
        query = graces.number
    response = admin_client.get(LIST_URL, {"q": query})

    assert listed_numbers(response) == {graces.number}


def test_order_csv_export_has_one_row_per_filtered_order_with_its_money(
    admin_client, ada, grace, laptop
):
    # Four of one product: the bulk discount (20% from the 4th unit by default) applies.
    make_order(ada, [(laptop, 4)], status=OrderStatus.PAID, date_ordered=on(2))
    make_order(grace, [(laptop, 1)], status=OrderStatus.SHIPPED)

    rows = csv_rows(admin_client.get(LIST_URL, {"status": "paid", "export": "csv"}))

    assert rows[0] == [
        "Order", "Placed", "Status", "Customer", "Email", "Units", "Subtotal", "Discount",
        "Shipping method", "Shipping", "Tax rate (%)", "Tax", "Total",
    ]
    assert rows[1:] == [
        [rows[1][0], "2026-03-02 10:00", "Paid", "Ada Lovelace", "ada@example.com", "4",
         "4800.00", "960.00", "", "0.00", "0.000", "0.00", "3840.00"]
    ]


def test_order_xlsx_export_keeps_money_as_numbers(admin_client, ada, laptop):
    make_order(ada, [(laptop, 2)])

    response = admin_client.get(LIST_URL, {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.values)
    exported = dict(zip(header, row, strict=True))
    assert exported["Customer"] == "Ada Lovelace"
    assert exported["Total"] == 2400
    assert isinstance(exported["Total"], (int, float, Decimal))


def test_a_customer_typed_formula_is_exported_as_text(admin_client, laptop):
    mallory = make_customer("mallory", '=HYPERLINK("http://evil.example","Mallory")')
    make_order(mallory, [(laptop, 1)])

    rows = csv_rows(admin_client.get(LIST_URL, {"export": "csv"}))

    assert rows[1][3].startswith("'=HYPERLINK")


def test_inspect_shows_lines_totals_delivery_and_only_brand_and_last_four(
    admin_client, ada, product_index
):
    laptop = make_product(product_index, "Difference Engine", price="1250.00")
    mouse = make_product(product_index, "Brass Mouse", price="19.99")
    order = make_order(
        ada, [(laptop, 4), (mouse, 3)], status=OrderStatus.PAID, checkout=True,
        card_brand="Mastercard", card_last4="5454", payment_token="tok_secret_abc",
    )

    html = admin_client.get(inspect_url(order)).content.decode()

    for text in [
        "Difference Engine", "$1,250.00", "$5,000.00",
        "Brass Mouse", "$19.99", "$59.97",
        "Subtotal", "$5,059.97", "Bulk discount (20% off)", "−$1,011.99", "Total", "$4,047.98",
        "1 Market Street", "Springfield, Illinois 62701", "5551234567",
        "Mastercard ending 5454", "(authorised)",
    ]:
        assert text in html
    assert "tok_secret_abc" not in html


def test_inspect_of_a_cart_is_not_found(admin_client, ada, laptop):
    cart = make_order(ada, [(laptop, 1)], status=OrderStatus.CART)

    assert admin_client.get(inspect_url(cart)).status_code == 404


def test_inspect_offers_only_the_moves_the_order_can_make(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)

    html = fulfilment_client.get(inspect_url(order)).content.decode()

    assert "?status=shipped" in html  # shipping asks for the tracking first
    assert "Cancel order" in html
    assert 'value="completed"' not in html
    assert 'value="paid"' not in html


def test_staff_without_status_permission_see_no_status_buttons(staff_client, ada, laptop):
    client = staff_client(SUPPORT)
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)

    response = client.get(inspect_url(order))

    assert response.status_code == 200
    assert "Mark shipped" not in response.content.decode()


def test_status_button_moves_the_order_and_says_so(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)

    response = fulfilment_client.post(status_url(order), {"status": "shipped"}, follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert f"{order} is now shipped." in response.content.decode()
    assert "Status changed from paid to shipped, by fulfilment" in response.content.decode()


def test_an_illegal_move_is_refused_with_a_message(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.SHIPPED)

    response = fulfilment_client.post(status_url(order), {"status": "cancelled"}, follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert "has already shipped, so it can no longer be cancelled" in response.content.decode()
    assert response.redirect_chain[-1][0] == inspect_url(order)


def test_cancel_asks_first_then_restocks(fulfilment_client, ada, laptop):
    order = make_placed_order(ada, (laptop, 2))
    laptop.refresh_from_db()
    assert laptop.stock == 3

    confirm = fulfilment_client.get(status_url(order), {"status": "cancelled"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert "Its items go back in stock" in confirm.content.decode()

    fulfilment_client.post(status_url(order), {"status": "cancelled"})
    order.refresh_from_db()
    laptop.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert laptop.stock == 5


def test_cancelling_a_card_paid_order_gives_the_payment_back(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    response = fulfilment_client.post(status_url(order), {"status": "cancelled"}, follow=True)

    order.checkout_detail.refresh_from_db()
    assert order.checkout_detail.payment_status == PaymentStatus.REFUNDED
    assert (
        f"{format_money(order.total)} was given back to the customer's Visa ending 4242."
        in html.unescape(response.content.decode())
    )


def test_cancelling_a_cash_on_delivery_order_refunds_nothing(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], checkout=True, payment_method="cod",
                       payment_status=PaymentStatus.PENDING)

    response = fulfilment_client.post(status_url(order), {"status": "cancelled"}, follow=True)

    order.checkout_detail.refresh_from_db()
    assert order.checkout_detail.payment_status == PaymentStatus.PENDING
    assert "was given back" not in response.content.decode()


def test_a_refund_the_provider_refuses_leaves_the_order_as_it_was(fulfilment_client, ada, laptop):
    order = make_placed_order(ada, (laptop, 1))
    detail = order.checkout_detail
    detail.payment_method, detail.payment_status = "card", PaymentStatus.AUTHORISED
    detail.payment_token = "tok_from_another_provider"
    detail.amount_authorised = detail.amount_captured = order.total
    detail.save()
    laptop.refresh_from_db()
    stock_after_sale = laptop.stock

    response = fulfilment_client.post(status_url(order), {"status": "cancelled"}, follow=True)

    order.refresh_from_db()
    detail.refresh_from_db()
    laptop.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert detail.payment_status == PaymentStatus.AUTHORISED
    assert laptop.stock == stock_after_sale
    assert (
        f"{order} was not cancelled: the card payment could not be given back. The test "
        "gateway issued no payment “tok_from_another_provider”."
    ) in html.unescape(response.content.decode())


def test_a_status_change_must_be_posted(fulfilment_client, ada, laptop):
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)

    fulfilment_client.get(status_url(order), {"status": "shipped"})

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_support_cannot_change_a_status_even_by_posting(staff_client, ada, laptop):
    client = staff_client(SUPPORT)
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)

    response = client.post(status_url(order), {"status": "cancelled"})

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.parametrize("view", ["add", "edit", "delete"])
def test_not_even_a_superuser_can_write_an_order_through_a_form(admin_client, ada, laptop, view):
    order = make_order(ada, [(laptop, 1)])
    args = [] if view == "add" else [order.pk]
    url = reverse(f"wagtailsnippets_commerce_order:{view}", args=args)

    response = admin_client.post(url, {"total": "0.01", "status": "completed"})

    order.refresh_from_db()
    assert response.status_code == 302
    assert (order.status, order.total) == (OrderStatus.PLACED, Decimal("1200.00"))


def test_order_history_is_readable_by_view_only_staff(staff_client, ada, laptop):
    client = staff_client(SUPPORT)
    order = make_order(ada, [(laptop, 1)], status=OrderStatus.PAID)

    change_status(order, OrderStatus.SHIPPED)
    response = client.get(reverse("wagtailsnippets_commerce_order:history", args=[order.pk]))

    assert response.status_code == 200
    assert "Status changed from paid to shipped" in response.content.decode()
    assert log_registry.get_logs_for_instance(order).count() == 1


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [LIST_URL, reverse("wagtailsnippets_commerce_customer:list"), "/admin/fulfilment/"],
    ids=["orders", "customers", "fulfilment queue"],
)
def test_admin_lists_run_the_same_queries_for_two_orders_or_twenty(
    admin_client, ada, grace, laptop, url
):
    mouse = make_product(laptop.get_parent(), "Counting Mouse", price="20.00")
    for _ in range(2):
        make_order(ada, [(laptop, 1), (mouse, 2)], status=OrderStatus.PAID, checkout=True)
    few = count_queries(admin_client, url)

    for _ in range(18):
        make_order(grace, [(laptop, 1), (mouse, 2)], status=OrderStatus.PAID, checkout=True)

    assert count_queries(admin_client, url) == few


def refund_url(order):
    return reverse("wagtailsnippets_commerce_order:refund", args=[order.pk])


def page_text(response):
    return html.unescape(response.content.decode())


def test_the_order_page_offers_a_refund_of_what_the_card_paid(fulfilment_client, ada, laptop):
    order = make_placed_order(ada, (laptop, 1), payment_method="card")

    page = page_text(fulfilment_client.get(inspect_url(order)))

    assert refund_url(order) in page
    assert "Nothing has been refunded on this order." in page
    form = page_text(fulfilment_client.get(refund_url(order)))
    assert "$1,200.00 left to refund" in form
    assert "Analytical Book: units to put back in stock" in form


def test_partial_refund_then_the_rest_then_no_more_from_the_order_page(
    fulfilment_client, ada, laptop
):
    order = make_placed_order(ada, (laptop, 1), payment_method="card")

    first = fulfilment_client.post(
        refund_url(order), {"amount": "200.00", "reason": "Scratched lid"}, follow=True
    )

    page = page_text(first)
    assert f"$200.00 was refunded on {order}." in page
    assert "$1,000.00" in page  # left to refund
    assert "Scratched lid" in page
    assert "$200.00 refunded: Scratched lid, by fulfilment" in page  # the history

    rest = fulfilment_client.post(
        refund_url(order), {"amount": "1000.00", "reason": "Returned"}, follow=True
    )
    assert refund_url(order) not in page_text(rest)  # nothing left: no button
    order.checkout_detail.refresh_from_db()
    assert order.checkout_detail.payment_status == PaymentStatus.REFUNDED

    one_more = fulfilment_client.post(
        refund_url(order), {"amount": "0.01", "reason": "Again"}, follow=True
    )
    assert f"Nothing is left to refund on {order}." in page_text(one_more)
    assert order.refunds.count() == 2


def test_refunding_more_than_remains_shows_the_form_again_with_the_limit(
    fulfilment_client, ada, laptop
):
    order = make_placed_order(ada, (laptop, 1), payment_method="card")

    response = fulfilment_client.post(
        refund_url(order), {"amount": "1200.01", "reason": "Everything and a bit"}
    )

    assert response.status_code == 200
    assert "Only $1,200.00 is left to refund on this order." in page_text(response)
    assert 'value="Everything and a bit"' in page_text(response)
    assert not order.refunds.exists()


def test_a_refund_needs_a_reason(fulfilment_client, ada, laptop):
    order = make_placed_order(ada, (laptop, 1), payment_method="card")

    response = fulfilment_client.post(refund_url(order), {"amount": "50.00", "reason": " "})

    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    assert not order.refunds.exists()


def test_a_refund_can_put_units_back_in_stock_once(fulfilment_client, ada, laptop):
    order = make_placed_order(ada, (laptop, 2), payment_method="card")
    line = order.items.get()

    fulfilment_client.post(
        refund_url(order),
        {"amount": "1200.00", "reason": "One returned", f"restock_{line.pk}": "1"},
    )
    laptop.refresh_from_db()
    assert laptop.stock == 4

    response = fulfilment_client.post(
        refund_url(order),
        {"amount": "100.00", "reason": "Another", f"restock_{line.pk}": "2"},
    )
    assert "Ensure this value is less than or equal to 1." in page_text(response)
    laptop.refresh_from_db()
    assert laptop.stock == 4
    page = page_text(fulfilment_client.get(inspect_url(order)))
    assert "Put back in stock: 1 × Analytical Book, by fulfilment" in page


def test_staff_without_status_permission_cannot_refund(staff_client, ada, laptop):
    client = staff_client(SUPPORT)
    order = make_placed_order(ada, (laptop, 1), payment_method="card")

    page = page_text(client.get(inspect_url(order)))
    response = client.post(refund_url(order), {"amount": "50.00", "reason": "Goodwill"})

    assert refund_url(order) not in page
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert not order.refunds.exists()


def test_cash_not_collected_offers_no_refund(fulfilment_client, ada, laptop):
    order = make_placed_order(ada, (laptop, 1), payment_method="cod")

    page = page_text(fulfilment_client.get(inspect_url(order)))
    response = fulfilment_client.get(refund_url(order), follow=True)

    assert refund_url(order) not in page
    assert f"Nothing is left to refund on {order}." in page_text(response)


def test_a_refund_the_provider_refuses_says_why_and_can_be_tried_again(
    fulfilment_client, ada, laptop, monkeypatch
):
    from commerce.payments.gateways import RefundFailed
    from commerce.payments.testcard import TestCardGateway

    def refuses(self, token, amount, idempotency_key):
        raise RefundFailed("The card account is closed.")

    order = make_placed_order(ada, (laptop, 1), payment_method="card")
    monkeypatch.setattr(TestCardGateway, "refund", refuses)
    response = fulfilment_client.post(
        refund_url(order), {"amount": "50.00", "reason": "Goodwill"}, follow=True
    )

    page = page_text(response)
    assert "nothing was given back. The card account is closed." in page
    assert refund_url(order) in page  # still offered
    monkeypatch.undo()
    fulfilment_client.post(refund_url(order), {"amount": "50.00", "reason": "Goodwill"})
    order.checkout_detail.refresh_from_db()
    assert order.checkout_detail.amount_refunded == Decimal("50.00")
