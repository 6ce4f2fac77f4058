from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commerce.cart.carts import CustomerCart, SessionCart, add_to_cart
from commerce.orders.models import MAX_QUANTITY, Order, OrderItem, OrderStatus
from commerce.promotions.models import Voucher
from tests.factories import make_customer, make_product, put_on_shelf

pytestmark = pytest.mark.django_db


def add(client, product, quantity, **extra):
    data = {"product": product.pk, "quantity": quantity, "next": product.url, **extra}
    return client.post("/cart/add/", data, follow=True)


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


def session_cart(client):
    """The anonymous cart of `client`'s session, as {product id (text): quantity}."""
    cart = SessionCart(client.session).current_cart()
    if cart is None:
        return {}
    return {str(line.product_id): line.quantity for line in cart.lines.all()}


def test_product_page_has_an_add_to_cart_form_with_csrf(client, work_laptop):
    html = client.get(work_laptop.url).content.decode()
    assert 'action="/cart/add/"' in html
    assert "csrfmiddlewaretoken" in html
    assert '<label for="add-to-cart-quantity">Quantity</label>' in html


def test_out_of_stock_product_page_offers_no_add_to_cart(client, product_index):
    sold_out = make_product(product_index, "Sold Out Book", stock=0)
    html = client.get(sold_out.url).content.decode()
    assert "Out of stock" in html
    assert 'action="/cart/add/"' not in html


def test_anonymous_shopper_adds_to_a_session_cart_and_sees_the_lines(client, work_laptop):
    response = add(client, work_laptop, 2)
    assert response.redirect_chain[-1][0] == "/cart/"
    assert "Added 2 × Work Laptop to your cart." in page_messages(response)
    html = response.content.decode()
    assert "Work Laptop" in html
    assert "$200.00" in html
    assert "Bulk discount" not in html
    assert session_cart(client) == {str(work_laptop.pk): 2}
    assert not Order.objects.exists()


def test_cart_page_shows_subtotal_discount_line_and_total(client, work_laptop):
    response = add(client, work_laptop, 4)
    html = response.content.decode()
    assert "Subtotal</dt><dd>$400.00" in html
    assert "Bulk discount (20% off)</dt><dd>−$80.00" in html
    assert "Total</dt><dd>$320.00" in html


def test_header_shows_the_number_of_items_in_the_cart(client, work_laptop, product_index):
    mouse = make_product(product_index, "Mouse", price="20.00")
    add(client, work_laptop, 2)
    add(client, mouse, 1)
    html = client.get("/").content.decode()
    assert '<span class="cart-count">3</span>' in html


def test_header_count_for_a_customer_comes_from_their_cart(customer_client, customer, work_laptop):
    add_to_cart(CustomerCart(customer), work_laptop.pk, 5)
    html = customer_client.get("/").content.decode()
    assert '<span class="cart-count">5</span>' in html


def test_customer_changes_quantity_and_removes_a_line(customer_client, customer, work_laptop):
    add(customer_client, work_laptop, 4)
    response = customer_client.post(
        "/cart/update/", {"product": work_laptop.pk, "quantity": 2}, follow=True
    )
    assert "You now have 2 × Work Laptop." in page_messages(response)
    order = Order.objects.get(customer=customer, status=OrderStatus.CART)
    assert (order.total, order.discount) == (Decimal("200.00"), Decimal("0.00"))

    response = customer_client.post("/cart/remove/", {"product": work_laptop.pk}, follow=True)
    assert "Your cart is empty." in response.content.decode()
    order.refresh_from_db()
    assert order.total == Decimal("0.00")
    assert not order.items.exists()


def test_anonymous_shopper_changes_and_removes_session_lines(client, work_laptop):
    add(client, work_laptop, 1)
    client.post("/cart/update/", {"product": work_laptop.pk, "quantity": 6})
    assert session_cart(client) == {str(work_laptop.pk): 6}
    client.post("/cart/remove/", {"product": work_laptop.pk})
    assert session_cart(client) == {}


def test_a_price_sent_by_the_browser_is_ignored(customer_client, customer, work_laptop):
    add(customer_client, work_laptop, 1, price="0.01", unit_price="0.01", total="0.01")
    order = Order.objects.get(customer=customer, status=OrderStatus.CART)
    assert order.total == Decimal("100.00")
    assert "$100.00" in customer_client.get("/cart/").content.decode()


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("abc", "Enter the quantity as a whole number, for example 2."),
        ("1.5", "Enter the quantity as a whole number, for example 2."),
        ("1e3", "Enter the quantity as a whole number, for example 2."),
        ("", "Enter a quantity."),
        ("0", "The quantity must be at least 1."),
        ("-2", "The quantity must be at least 1."),
        ("100", "You can buy at most 99 of one product."),
        ("99999999999999999999999999", "You can buy at most 99 of one product."),
    ],
)
def test_bad_quantities_are_refused_with_a_message_and_change_nothing(
    customer_client, customer, work_laptop, quantity, message
):
    add_to_cart(CustomerCart(customer), work_laptop.pk, 2)
    response = add(customer_client, work_laptop, quantity)
    assert message in page_messages(response)
    assert response.redirect_chain[-1][0] == work_laptop.url
    update = customer_client.post(
        "/cart/update/", {"product": work_laptop.pk, "quantity": quantity}, follow=True
    )
    assert message in page_messages(update)
    item = OrderItem.objects.get(order__customer=customer)
    assert item.quantity == 2
    assert item.order.total == Decimal("200.00")


def test_bad_quantities_leave_a_session_cart_unchanged(client, work_laptop):
    add(client, work_laptop, 2)
    for quantity in ["abc", "0", "-1", "500"]:
        add(client, work_laptop, quantity)
        client.post("/cart/update/", {"product": work_laptop.pk, "quantity": quantity})
    assert session_cart(client) == {str(work_laptop.pk): 2}


def test_adding_past_99_units_of_one_product_is_refused(customer_client, customer, work_laptop):
    add_to_cart(CustomerCart(customer), work_laptop.pk, 98)
    response = add(customer_client, work_laptop, 2)
    assert "You can have at most 99 of Work Laptop in your cart." in page_messages(response)
    assert OrderItem.objects.get(order__customer=customer).quantity == 98


def test_an_unpublished_product_cannot_be_added(client, product_index):
    draft = make_product(product_index, "Secret Prototype", live=False)
    response = client.post("/cart/add/", {"product": draft.pk, "quantity": 1}, follow=True)
    assert "Sorry, that product is not for sale." in page_messages(response)
    assert session_cart(client) == {}


@pytest.mark.parametrize(
    "product, message",
    [
        ("999999", "Sorry, that product is not for sale."),
        ("-1", "Sorry, that product is not for sale."),
        ("99999999999999999999999", "Sorry, that product is not for sale."),
        ("abc", "Choose a product."),
        ("", "Choose a product."),
    ],
)
def test_an_unknown_product_cannot_be_added(client, work_laptop, product, message):
    response = client.post("/cart/add/", {"product": product, "quantity": 1}, follow=True)
    assert response.status_code == 200
    assert page_messages(response) == [message]
    assert session_cart(client) == {}


def test_cannot_add_more_than_the_stock(client, product_index):
    scarce = make_product(product_index, "Scarce Book", stock=2)
    response = add(client, scarce, 3)
    assert "Sorry, only 2 of Scarce Book left in stock." in page_messages(response)
    assert session_cart(client) == {}


def test_a_product_unpublished_after_adding_is_shown_as_unavailable_until_removed(
    customer_client, customer, product_index, work_laptop
):
    mouse = make_product(product_index, "Mouse", price="20.00")
    cart = CustomerCart(customer)
    add_to_cart(cart, work_laptop.pk, 4)
    add_to_cart(cart, mouse.pk, 1)
    work_laptop.unpublish()
    order = Order.objects.get(customer=customer, status=OrderStatus.CART)
    stored = (order.total, order.updated_at)

    response = customer_client.get("/cart/")

    assert (
        "Work Laptop is no longer for sale. Remove it from your cart to check out."
        in page_messages(response)
    )
    page = response.content.decode()
    assert "No longer for sale" in page and "4 × Work Laptop" in page
    assert response.context["cart"].totals.total == mouse.price  # left out of the total
    order.refresh_from_db()
    assert (order.total, order.updated_at) == stored  # showing the cart wrote nothing
    assert order.items.count() == 2

    customer_client.post("/cart/remove/", {"product": work_laptop.pk})
    assert list(order.items.values_list("product", flat=True)) == [mouse.pk]


def test_a_deleted_product_leaves_every_cart(customer, product_index, work_laptop):
    mouse = make_product(product_index, "Mouse", price="20.00")
    add_to_cart(CustomerCart(customer), work_laptop.pk, 4)
    add_to_cart(CustomerCart(customer), mouse.pk, 1)

    work_laptop.delete()

    order = Order.objects.get(customer=customer, status=OrderStatus.CART)
    assert list(order.items.values_list("product", flat=True)) == [mouse.pk]
    assert order.total == mouse.price


def test_cart_forms_are_refused_without_a_csrf_token(work_laptop):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/cart/add/", {"product": work_laptop.pk, "quantity": 1})
    assert response.status_code == 403


def test_cart_changes_must_be_posted(client, work_laptop):
    response = client.get("/cart/add/", {"product": work_laptop.pk, "quantity": 1})
    assert response.status_code == 405
    assert session_cart(client) == {}


def test_logging_in_merges_the_session_cart_adding_quantities(client, customer, work_laptop,
                                                              product_index):
    mouse = make_product(product_index, "Mouse", price="20.00")
    add_to_cart(CustomerCart(customer), work_laptop.pk, 2)
    add(client, work_laptop, 3)
    add(client, mouse, 1)

    response = client.post(
        "/accounts/login/",
        {"username": customer.user.username, "password": "shop-test-pass"},
    )

    assert response.status_code == 302
    cart = dict(
        OrderItem.objects.filter(order__customer=customer).values_list("product", "quantity")
    )
    assert cart == {work_laptop.pk: 5, mouse.pk: 1}
    order = Order.objects.get(customer=customer, status=OrderStatus.CART)
    assert order.total == Decimal("416.00")  # 520.00 less 20%: five laptops
    assert session_cart(client) == {}


def log_in(client, customer):
    return client.post(
        "/accounts/login/",
        {"username": customer.user.username, "password": "shop-test-pass"},
        follow=True,
    )


def customer_cart(customer):
    return dict(
        OrderItem.objects.filter(order__customer=customer).values_list("product", "quantity")
    )


def test_merged_quantities_are_capped_at_99(client, customer, work_laptop):
    add_to_cart(CustomerCart(customer), work_laptop.pk, 60)
    add(client, work_laptop, 50)

    response = log_in(client, customer)

    assert OrderItem.objects.get(order__customer=customer).quantity == MAX_QUANTITY
    assert "You can have at most 99 of Work Laptop in your cart, so it has 99." in \
        page_messages(response)


def test_logging_in_merges_within_the_stock_and_says_what_was_capped(
    client, customer, product_index
):
    scarce = make_product(product_index, "Scarce Laptop", price="100.00", stock=3)
    add_to_cart(CustomerCart(customer), scarce.pk, 2)
    add(client, scarce, 3)

    response = log_in(client, customer)

    assert customer_cart(customer) == {scarce.pk: 3}
    assert "Only 3 of Scarce Laptop are in stock, so your cart has 3." in page_messages(response)
    order = Order.objects.get(customer=customer, status=OrderStatus.CART)
    assert (order.discount, order.total) == (Decimal("0.00"), Decimal("300.00"))


def test_a_product_sold_out_before_log_in_is_not_merged(client, customer, product_index,
                                                         work_laptop):
    scarce = make_product(product_index, "Scarce Laptop", price="100.00", stock=3)
    add(client, scarce, 1)
    add(client, work_laptop, 1)
    put_on_shelf(scarce, 0)

    response = log_in(client, customer)

    assert customer_cart(customer) == {work_laptop.pk: 1}
    assert "Sorry, Scarce Laptop is out of stock: none were added to your cart." in \
        page_messages(response)


@pytest.mark.parametrize(
    ("withdraw", "message"),
    [
        ("unpublish", "Mouse is no longer for sale and was left out of your cart."),
        ("delete", None),  # its session line went with it: nothing left to name
    ],
)
def test_a_product_withdrawn_before_log_in_is_left_out_and_the_rest_merges(
    client, customer, product_index, work_laptop, withdraw, message
):
    mouse = make_product(product_index, "Mouse", price="20.00")
    add(client, work_laptop, 1)
    add(client, mouse, 2)
    getattr(mouse, withdraw)()

    response = log_in(client, customer)

    assert response.status_code == 200
    assert customer_cart(customer) == {work_laptop.pk: 1}
    if message:
        assert message in page_messages(response)
    assert session_cart(client) == {}


def test_signing_up_keeps_the_session_cart(client, work_laptop):
    add(client, work_laptop, 2)
    client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "name": "New Buyer",
            "email": "newbie@example.com",
            "phone": "(555) 987-6543",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    item = OrderItem.objects.get(order__customer__user__username="newbie")
    assert (item.product_id, item.quantity) == (work_laptop.pk, 2)


def test_each_customer_has_one_cart(customer, work_laptop):
    other_customer = make_customer("other")
    for _ in range(3):
        add_to_cart(CustomerCart(customer), work_laptop.pk, 1)
    add_to_cart(CustomerCart(other_customer), work_laptop.pk, 1)
    assert Order.objects.filter(customer=customer, status=OrderStatus.CART).count() == 1
    assert OrderItem.objects.get(order__customer=customer).quantity == 3


def count_queries(client, url):
    client.get(url)  # warm Wagtail's site caches, which adding products clears
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_cart_and_checkout_pages_do_not_query_per_line(customer_client, customer,
                                                       product_index):
    cart = CustomerCart(customer)
    add_to_cart(cart, make_product(product_index, "First").pk, 1)
    one_line = [count_queries(customer_client, url) for url in ("/cart/", "/checkout/")]
    for number in range(4):
        add_to_cart(cart, make_product(product_index, f"More {number}").pk, 1)
    five_lines = [count_queries(customer_client, url) for url in ("/cart/", "/checkout/")]
    assert five_lines == one_line


# POST /cart/add/ itself (the view answering with its redirect), per-process lookups held.
ADD_TO_CART_QUERY_BOUND = 10
# A visitor's add also saves the session, so the cart lives on from the last change.
ANONYMOUS_ADD_TO_CART_QUERY_BOUND = 11


def add_to_cart_queries(client, product):
    """Queries of one add-to-cart POST, after a request that let the process hold its
    lookups (the discount rule, the vouchers)."""
    client.get("/cart/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/cart/add/", {"product": product.pk, "quantity": 1})
    assert (response.status_code, response.url) == (302, "/cart/")
    return len(queries)


def test_adding_to_a_customers_cart_costs_the_same_few_queries_however_many_lines_it_has(
    customer_client, customer, product_index
):
    gadgets = catalogue(product_index, 11)
    cart = CustomerCart(customer)
    add_to_cart(cart, gadgets[0].pk, 2)
    with_one_line = add_to_cart_queries(customer_client, gadgets[0])
    for gadget in gadgets[1:10]:
        add_to_cart(cart, gadget.pk, 1)

    with_ten_lines = add_to_cart_queries(customer_client, gadgets[0])  # the 4th unit
    new_line = add_to_cart_queries(customer_client, gadgets[10])

    assert with_one_line == with_ten_lines == new_line <= ADD_TO_CART_QUERY_BOUND
    order = CustomerCart(customer).current_order()
    assert sorted(CustomerCart(customer).quantities().values()) == [1] * 10 + [4]
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("140.00"), Decimal("28.00"), Decimal("112.00")
    )
    assert order.discount_name == "Bulk discount (20% off)"


def test_a_cart_with_a_voucher_code_is_added_to_within_the_same_bound(
    customer_client, customer, product_index
):
    Voucher.objects.create(code="SAVE10", value=Decimal("10"))
    gadgets = catalogue(product_index, 11)
    cart = CustomerCart(customer)
    add_to_cart(cart, gadgets[0].pk, 1)
    with cart.editing():
        cart.set_voucher_code("SAVE10")
    with_one_line = add_to_cart_queries(customer_client, gadgets[0])
    for gadget in gadgets[1:10]:
        add_to_cart(cart, gadget.pk, 1)

    with_ten_lines = add_to_cart_queries(customer_client, gadgets[10])

    assert with_one_line == with_ten_lines <= ADD_TO_CART_QUERY_BOUND
    order = CustomerCart(customer).current_order()
    assert (order.subtotal, order.discount, order.discount_name) == (
        Decimal("120.00"), Decimal("12.00"), "Voucher SAVE10"
    )


def test_adding_to_a_session_cart_costs_the_same_few_queries_however_many_lines_it_has(
    client, product_index
):
    gadgets = catalogue(product_index, 11)
    add(client, gadgets[0], 1)
    with_one_line = add_to_cart_queries(client, gadgets[0])
    for gadget in gadgets[1:10]:
        add(client, gadget, 1)

    with_ten_lines = add_to_cart_queries(client, gadgets[0])
    new_line = add_to_cart_queries(client, gadgets[10])

    assert with_one_line == with_ten_lines == new_line <= ANONYMOUS_ADD_TO_CART_QUERY_BOUND
    assert session_cart(client) == {
        str(gadget.pk): 3 if gadget == gadgets[0] else 1 for gadget in gadgets
    }


@pytest.fixture
def three_line_carts(settings):
    settings.CART_MAX_LINES = 3


def catalogue(product_index, count):
    return [make_product(product_index, f"Gadget {number}", price="10.00")
            for number in range(count)]


def test_a_full_session_cart_refuses_a_new_product_but_takes_more_of_one_it_has(
    client, product_index, three_line_carts
):
    first, second, third, fourth = catalogue(product_index, 4)
    for product in (first, second, third):
        add(client, product, 1)

    refused = add(client, fourth, 1)
    more = add(client, first, 2)

    assert page_messages(refused) == [
        "Your cart is full: it holds at most 3 different products. Remove one to add Gadget 3."
    ]
    assert refused.redirect_chain[-1][0] == fourth.url
    assert "Added 2 × Gadget 0 to your cart." in page_messages(more)
    assert session_cart(client) == {str(first.pk): 3, str(second.pk): 1, str(third.pk): 1}


def test_a_full_customer_cart_refuses_a_new_product(
    customer_client, customer, product_index, three_line_carts
):
    products = catalogue(product_index, 4)
    for product in products[:3]:
        add_to_cart(CustomerCart(customer), product.pk, 1)

    response = add(customer_client, products[3], 1)

    assert "Your cart is full: it holds at most 3 different products. Remove one to add " \
        "Gadget 3." in page_messages(response)
    assert OrderItem.objects.filter(order__customer=customer).count() == 3


def test_logging_in_merges_only_what_fits_in_a_full_cart_and_says_what_was_left_out(
    client, customer, product_index, three_line_carts
):
    products = catalogue(product_index, 4)
    for product in products[:2]:
        add_to_cart(CustomerCart(customer), product.pk, 1)
    for product in (products[0], products[2], products[3]):
        add(client, product, 2)

    response = client.post(
        "/accounts/login/",
        {"username": customer.user.username, "password": "shop-test-pass"},
        follow=True,
    )

    cart = dict(
        OrderItem.objects.filter(order__customer=customer).values_list("product", "quantity")
    )
    assert cart == {products[0].pk: 3, products[1].pk: 1, products[2].pk: 2}
    assert (
        "Your cart is full: it holds at most 3 different products. These products from before "
        "you logged in did not fit: Gadget 3." in page_messages(response)
    )


def test_an_anonymous_cart_names_a_product_withdrawn_since_it_was_added(client, work_laptop):
    add(client, work_laptop, 2)
    work_laptop.unpublish()
    response = client.get("/cart/")
    assert (
        "Work Laptop is no longer for sale. Remove it from your cart to check out."
        in page_messages(response)
    )
    assert session_cart(client) == {str(work_laptop.pk): 2}

    client.post("/cart/remove/", {"product": work_laptop.pk})
    assert session_cart(client) == {}


COMMERCE_TABLES = [model._meta.db_table for model in apps.get_app_config("commerce").get_models()]


def commerce_writes(queries):
    """The statements among `queries` that change a commerce table (sessions may be saved)."""
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        and any(f'"{table}"' in query["sql"] for table in COMMERCE_TABLES)
    ]


@pytest.mark.parametrize("url", ["/cart/", "/checkout/"])
def test_showing_the_cart_prices_it_anew_without_writing_anything(
    customer_client, customer, work_laptop, url
):
    add_to_cart(CustomerCart(customer), work_laptop.pk, 1)
    stored_total = Order.objects.carts().get(customer=customer).total
    work_laptop.price = Decimal("1234.50")
    work_laptop.save_revision().publish()

    with CaptureQueriesContext(connection) as queries:
        response = customer_client.get(url)

    assert response.status_code == 200
    assert response.context["cart"].totals.total == Decimal("1234.50")
    assert "$1,234.50" in response.content.decode()
    assert commerce_writes(queries) == []
    assert Order.objects.carts().get(customer=customer).total == stored_total
