"""The stock ledger: every change of a product's stock leaves one row saying why, and a
product's rows add up to its live stock."""

import uuid
from contextlib import suppress
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.test.utils.form_data import querydict_from_html

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.payment_flow import PaymentNotTaken
from commerce.checkout.place_order import place_order
from commerce.checkout.reservations import back_to_cart, release_expired_reservations
from commerce.orders.models import Order, OrderStatus
from commerce.orders.status import StatusChangeRefused, change_status
from commerce.orders.stock import restock_lines
from commerce.payments.testcard import CardDetails, TestCardGateway
from products.catalogue_csv import import_catalogue, read_catalogue
from products.ledger import StockMovement, StockReason
from products.models import ProductPage
from products.stock import lock_products, set_stock
from tests.factories import (
    DELIVERY,
    edit_url,
    make_customer,
    make_placed_order,
    make_product,
    make_staff_user,
    open_editor,
    put_on_shelf,
)

pytestmark = pytest.mark.django_db

DECLINED = CardDetails(TestCardGateway.DECLINED_NUMBER, 12, timezone.now().year + 1, "123")


def stock_of(product):
    return ProductPage.objects.get(pk=product.pk).stock


def movements(product):
    """The product's ledger rows, oldest first, as (change, balance, reason, order, user)."""
    return [
        (row.change, row.balance, row.reason, row.order, row.user)
        for row in StockMovement.objects.filter(product=product).order_by("pk")
    ]


def import_csv(index, text):
    return import_catalogue(read_catalogue(text.splitlines(keepends=True), "."), index)


@pytest.fixture
def staff(db):
    return make_staff_user("stockkeeper")


# One path, one row per product


def test_a_sale_writes_one_row_per_tracked_product_with_its_order(customer, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    mouse = make_product(product_index, "Ledger Mouse", stock=2)
    made_to_order = make_product(product_index, "Made To Order", stock=None)

    order = make_placed_order(customer, (laptop, 3), (mouse, 1), (made_to_order, 2))

    assert movements(laptop) == [(-3, 4, StockReason.SALE, order, None)]
    assert movements(mouse) == [(-1, 1, StockReason.SALE, order, None)]
    assert movements(made_to_order) == []


def test_a_refused_checkout_leaves_no_row(customer, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=1)
    add_to_cart(CustomerCart(customer), laptop.pk, 1)
    put_on_shelf(laptop, 0)  # sold elsewhere meanwhile

    with pytest.raises(Exception, match="out of stock"):
        place_order(customer, DELIVERY, "cod", uuid.uuid4(), expected_total=None)

    assert movements(laptop) == []


def test_staff_cancelling_an_order_writes_a_cancellation_by_them(customer, product_index, staff):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    order = make_placed_order(customer, (laptop, 3))

    change_status(order, OrderStatus.CANCELLED, user=staff)

    assert movements(laptop)[1:] == [(3, 7, StockReason.CANCELLATION, order, staff)]


def reserve_by_card(customer, product, quantity):
    add_to_cart(CustomerCart(customer), product.pk, quantity)
    total = CustomerCart(customer).contents().totals.total
    try:
        return place_order(
            customer, DELIVERY, "card", uuid.uuid4(), card=DECLINED, expected_total=total
        )
    except PaymentNotTaken as declined:
        return declined.order


def test_an_expired_reservation_writes_a_reservation_expiry(customer, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=5)
    order = reserve_by_card(customer, laptop, 2)

    release_expired_reservations(now=timezone.now() + timedelta(days=1))

    assert movements(laptop) == [
        (-2, 3, StockReason.SALE, order, None),
        (2, 5, StockReason.RESERVATION_EXPIRY, order, None),
    ]


def test_giving_up_paying_writes_a_cancellation(customer, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=5)
    order = reserve_by_card(customer, laptop, 2)

    back_to_cart(order)

    assert movements(laptop)[1:] == [(2, 5, StockReason.CANCELLATION, order, None)]


def test_goods_put_back_with_a_refund_write_a_return_by_the_staff_member(
    customer, product_index, staff
):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    order = make_placed_order(customer, (laptop, 3))
    line = order.items.get()

    restock_lines(order, {line.pk: 2}, user=staff)

    assert movements(laptop)[1:] == [(2, 6, StockReason.RETURN, order, staff)]


def test_an_editor_setting_the_stock_writes_a_staff_adjustment_by_them(
    admin_client, admin_user, product_index
):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    data = open_editor(admin_client, laptop)
    data["variants-0-stock"] = "12"

    admin_client.post(edit_url(laptop), data)

    assert movements(laptop) == [(5, 12, StockReason.STAFF_ADJUSTMENT, None, admin_user)]


def test_saving_the_editor_without_touching_stock_writes_no_row(admin_client, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)

    admin_client.post(edit_url(laptop), open_editor(admin_client, laptop))

    assert movements(laptop) == []


def test_no_longer_tracking_stock_takes_the_count_off_the_ledger(admin_client, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    data = open_editor(admin_client, laptop)
    data["variants-0-stock"] = ""

    admin_client.post(edit_url(laptop), data)

    assert [(change, balance) for change, balance, *_ in movements(laptop)] == [(-7, None)]


def test_creating_a_product_in_the_editor_records_its_opening_stock(
    admin_client, admin_user, product_index
):
    url = reverse("wagtailadmin_pages:add", args=["products", "productpage", product_index.pk])
    data = querydict_from_html(admin_client.get(url).content.decode(), form_id="page-edit-form")
    data.update({"title": "Brand New Laptop", "slug": "brand-new-laptop", "price": "10.00"})
    data.update({"variants-0-stock": "4", "variants-0-active": "on"})
    data["features-count"] = data["promotions-count"] = "0"  # drawn by JavaScript

    response = admin_client.post(url, data)

    assert response.status_code == 302
    laptop = ProductPage.objects.get(slug="brand-new-laptop")
    assert movements(laptop) == [(4, 4, StockReason.STAFF_ADJUSTMENT, None, admin_user)]


def test_copying_a_product_records_the_copys_stock(admin_client, admin_user, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)

    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=[laptop.pk]),
        {
            "new_title": "Ledger Laptop Copy", "new_slug": "ledger-laptop-copy",
            "new_parent_page": product_index.pk, "publish_copies": "on",
        },
    )

    assert response.status_code == 302
    copy = ProductPage.objects.get(slug="ledger-laptop-copy")
    assert movements(copy) == [(7, 7, StockReason.STAFF_ADJUSTMENT, None, admin_user)]
    assert movements(laptop) == []


def test_an_import_records_new_products_stock_and_changed_counts(product_index):
    import_csv(product_index, "name,price,stock\nImported Laptop,10.00,5\nUncounted,9.00,\n")
    laptop = ProductPage.objects.get(slug="imported-laptop")
    assert movements(laptop) == [(5, 5, StockReason.IMPORT, None, None)]

    import_csv(product_index, "name,price,stock\nImported Laptop,10.00,3\n")
    import_csv(product_index, "name,price\nImported Laptop,11.00\n")  # no stock column

    assert movements(laptop)[1:] == [(-2, 3, StockReason.IMPORT, None, None)]
    assert movements(ProductPage.objects.get(slug="uncounted")) == []


def test_the_stock_history_lists_a_products_rows_newest_first(admin_client, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    other = make_product(product_index, "Other Laptop", stock=1)
    for count_ in (9, 4):
        with transaction.atomic():
            lock_products([laptop.pk])
            set_stock(laptop.pk, count_, reason=StockReason.STAFF_ADJUSTMENT)
    with transaction.atomic():
        set_stock(other.pk, 30, reason=StockReason.IMPORT)

    url = reverse("wagtailsnippets_products_stockmovement:list")
    html = admin_client.get(url, {"product": laptop.pk}).content.decode()

    assert html.index("-5") < html.index("+2")
    assert "Staff adjustment" in html
    assert "+29" not in html
    assert "Add stock movement" not in html


def test_a_products_editor_links_to_its_stock_history(admin_client, product_index):
    laptop = make_product(product_index, "Ledger Laptop", stock=7)
    history = reverse("wagtailsnippets_products_stockmovement:list") + f"?product={laptop.pk}"

    assert history in admin_client.get(edit_url(laptop)).content.decode()
    assert history in admin_client.get(
        reverse("wagtailadmin_explore", args=[product_index.pk])
    ).content.decode()


# The ledger's invariant, over random sequences of what happens to stock

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("checkout"), st.integers(0, 2), st.integers(1, 4)),
        st.tuples(st.just("reserve"), st.integers(0, 2), st.integers(1, 4)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
        st.tuples(st.just("restock"), st.integers(0, 5), st.integers(1, 3)),
        st.tuples(st.just("edit"), st.integers(0, 2), st.none() | st.integers(0, 9)),
        st.tuples(st.just("import"), st.integers(0, 2), st.integers(0, 9)),
    ),
    max_size=10,
)
OPENING_STOCK = st.lists(st.none() | st.integers(0, 6), min_size=3, max_size=3)
EXAMPLES = count()


def run_operations(product_index, staff, opening, operations):
    run = next(EXAMPLES)
    names = [f"Ledger {run} {i}" for i in range(3)]
    cells = ["" if stock is None else stock for stock in opening]
    import_csv(
        product_index,
        "name,price,stock\n"
        + "".join(f"{name},10.00,{cell}\n" for name, cell in zip(names, cells, strict=True)),
    )
    products = [ProductPage.objects.get(title=name) for name in names]
    customers = count()
    orders = []

    def shopper():
        return make_customer(f"ledger-{run}-{next(customers)}", email=None)

    for operation, *args in operations:
        if operation in ("checkout", "reserve"):
            product, units = products[args[0]], args[1]
            stock = stock_of(product)
            units = units if stock is None else min(units, stock)
            if units:
                customer = shopper()
                if operation == "checkout":
                    orders.append(make_placed_order(customer, (product, units)))
                else:
                    orders.append(reserve_by_card(customer, product, units))
        elif operation == "expire":
            release_expired_reservations(now=timezone.now() + timedelta(days=1))
        elif operation == "cancel" and orders:
            order = orders[args[0] % len(orders)]
            # Refused when cancelled already or awaiting payment: then nothing changes.
            with suppress(StatusChangeRefused):
                change_status(order, OrderStatus.CANCELLED, user=staff)
        elif operation == "restock" and orders:
            order = Order.objects.get(pk=orders[args[0] % len(orders)].pk)
            line = order.items.first()
            units = min(args[1], line.reserved_quantity)
            if units:
                restock_lines(order, {line.pk: units}, user=staff)
        elif operation == "edit":
            with transaction.atomic():  # as the product editor does (products/views.py)
                lock_products([products[args[0]].pk])
                set_stock(
                    products[args[0]].pk, args[1], reason=StockReason.STAFF_ADJUSTMENT,
                    user=staff,
                )
        elif operation == "import":
            product = ProductPage.objects.get(pk=products[args[0]].pk)
            import_csv(product_index, f"name,price,stock\n{product.title},10.00,{args[1]}\n")

    for product in products:
        rows = list(StockMovement.objects.filter(product=product).order_by("pk"))
        live = stock_of(product)
        assert sum(row.change for row in rows) == (live or 0)
        if rows:
            assert rows[-1].balance == live
        else:
            assert not live


LEDGER_PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@LEDGER_PROPERTY
@given(opening=OPENING_STOCK, operations=OPERATIONS)
def test_for_any_sequence_of_stock_changes_the_ledger_sums_to_the_live_stock(
    product_index, staff, opening, operations
):
    run_operations(product_index, staff, opening, operations)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL variant")
@LEDGER_PROPERTY
@given(opening=OPENING_STOCK, operations=OPERATIONS)
def test_on_postgresql_the_ledger_sums_to_the_live_stock(
    product_index, staff, opening, operations
):
    run_operations(product_index, staff, opening, operations)
