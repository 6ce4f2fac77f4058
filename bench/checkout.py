"""The checkout race: N buyers place their order at the same moment for a product with K
units left. Exactly K must get an order, paid, the others a clear out-of-stock answer, and
nothing else may go wrong. Runs commerce.checkout.place_order.place_order in N threads, each
with its own database connection (PostgreSQL: the row locks are what is being tested), paying
by card through the test gateway: each order reserves its stock, then is paid once that commits."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.place_order import CheckoutError, place_order
from commerce.customers.models import Customer
from commerce.orders.models import Order, OrderItem, OrderStatus, cart_q
from commerce.payments.models import PaymentMethod
from commerce.payments.testcard import CardDetails
from commerce.shipping.rates import cheapest, checkout_totals, shipping_options
from products.ledger import StockReason
from products.models import ProductIndexPage, ProductPage
from products.stock import lock_products, set_stock

RACE_PRODUCT_SLUG = "checkout-race-laptop"
DELIVERY = {
    "address": "1 Benchmark Street", "address_line2": "", "city": "Springfield", "state": "IL",
    "zip_code": "62701", "country": "US", "phone": "5550100000",
}
# A card the test gateway approves.
RACE_CARD = CardDetails("4242424242424242", 12, timezone.now().year + 1, "123")


def checkout_race(buyers, stock):
    """Run the race and return its figures; `correct` says whether it ended as it must."""
    product = race_product(stock)
    customers = [race_customer(number) for number in range(1, buyers + 1)]
    deliveries, totals = {}, {}
    for customer in customers:
        Order.objects.carts().filter(customer=customer).delete()
        add_to_cart(CustomerCart(customer), product.pk, 1)
        # Shipped and totalled as the checkout page preselects and shows it.
        contents = CustomerCart(customer).contents()
        method = race_shipping_method(contents)
        deliveries[customer.pk] = {**DELIVERY, "shipping_method": method}
        totals[customer.pk] = checkout_totals(contents, DELIVERY["state"], method).totals.total
    orders_before = placed_orders(product)

    start_line = threading.Barrier(buyers)
    started = []

    def buy(customer):
        start_line.wait()
        started.append(time.monotonic())
        try:
            order = place_order(customer, deliveries[customer.pk], PaymentMethod.CARD,
                                uuid.uuid4().hex, expected_total=totals[customer.pk],
                                card=RACE_CARD)
            if order.status != OrderStatus.PAID:
                return "other", f"{order} is {order.get_status_display().lower()}, not paid"
            return "order", ""
        except CheckoutError as error:
            if "out of stock" in error.message:
                return "out of stock", error.message
            return "other", error.message
        except Exception as error:  # every unexpected failure is counted, never hidden
            return "other", repr(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=buyers) as pool:
        outcomes = list(pool.map(buy, customers))
    seconds = time.monotonic() - min(started)

    kinds = [kind for kind, _message in outcomes]
    orders = kinds.count("order")
    product.refresh_from_db()
    new_orders = placed_orders(product) - orders_before
    out_of_stock = kinds.count("out of stock")
    others = [message for kind, message in outcomes if kind == "other"]
    expected_orders = min(buyers, stock)
    return {
        "buyers": buyers,
        "stock": stock,
        "orders": orders,
        "orders_in_database": new_orders,
        "orders_per_second": round(orders / seconds, 1) if seconds else 0.0,
        "seconds": round(seconds, 3),
        "out_of_stock": out_of_stock,
        "other_errors": len(others),
        "other_error_messages": sorted(set(others))[:5],
        "stock_left": product.stock,
        "correct": (
            orders == new_orders == expected_orders
            and out_of_stock == buyers - expected_orders
            and not others
            and product.stock == stock - expected_orders
        ),
    }


def race_shipping_method(contents):
    """The shipping method the checkout page preselects for the race's cart: the cheapest
    serving its state (None when the shop has none)."""
    best = cheapest(shipping_options(DELIVERY["state"], contents.lines, contents.rule))
    return best.method if best else None


def race_product(stock):
    """A product of its own, so the race never changes the catalogue being measured."""
    product = ProductPage.objects.filter(slug=RACE_PRODUCT_SLUG).first()
    if product is None:
        index = ProductIndexPage.objects.live().order_by("path").first()
        product = index.add_child(instance=ProductPage(
            title="Checkout Race Laptop", slug=RACE_PRODUCT_SLUG, price=Decimal("999.00"),
            stock=stock, features=[("brand", "Storefront"), ("ram", 16)],
        ))
        product.save_revision().publish()
    # Stock lives on the product's one variant: a race before this one sold it out.
    with transaction.atomic():
        lock_products([product.pk])
        set_stock(product.pk, stock, reason=StockReason.STAFF_ADJUSTMENT)
    product.refresh_from_db()
    return product


def race_customer(number):
    username = f"bench-buyer-{number:03}"
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    customer, _created = Customer.objects.get_or_create(
        user=user, defaults={"name": f"Buyer {number}", "email": user.email}
    )
    return customer


def placed_orders(product):
    return (
        OrderItem.objects.filter(product=product)
        .exclude(cart_q(via="order__"))
        .values("order")
        .distinct()
        .count()
    )
