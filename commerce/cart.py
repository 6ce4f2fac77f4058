"""The shopping cart.

An anonymous shopper's cart lives in the session ({product id: quantity}); a signed-in
customer's cart is their Order in CART status, so it follows them across devices. At log-in
the session cart is merged into the customer's (`merge_session_cart`).

The client only ever chooses a product and a quantity: prices come from the product pages and
totals from commerce.pricing. Every change to a customer's cart goes through OrderItem.save()
or .delete(), so the order's stored totals are recomputed by commerce.signals.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from products.models import ProductPage

from . import pricing
from .accounts import customer_for
from .models import MAX_QUANTITY, Order, OrderItem, OrderStatus

SESSION_KEY = "cart"
NOT_FOR_SALE = "Sorry, that product is not for sale."


class CartError(Exception):
    """A cart change the shop refuses. The message is written for the shopper."""


@dataclass(frozen=True)
class CartLine:
    product: ProductPage
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class CartContents:
    lines: list
    totals: pricing.Totals
    rule: pricing.DiscountRule
    # Names of lines dropped because their product is no longer for sale.
    removed: list

    @property
    def item_count(self):
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self):
        return not self.lines


class SessionCart:
    """An anonymous shopper's cart, kept in their session. Same interface as CustomerCart."""

    def __init__(self, session):
        self.session = session

    @contextmanager
    def editing(self, create=False):
        yield self

    def quantities(self):
        quantities = {}
        for product_id, quantity in self.session.get(SESSION_KEY, {}).items():
            try:
                quantities[int(product_id)] = int(quantity)
            except (TypeError, ValueError):
                continue
        return quantities

    def set_quantity(self, product, quantity):
        stored = dict(self.session.get(SESSION_KEY, {}))
        stored[str(product.pk)] = quantity
        self.session[SESSION_KEY] = stored

    def remove(self, product_id):
        stored = dict(self.session.get(SESSION_KEY, {}))
        if stored.pop(str(product_id), None) is not None:
            self.session[SESSION_KEY] = stored

    def clear(self):
        self.session.pop(SESSION_KEY, None)

    def contents(self):
        quantities = self.quantities()
        products = ProductPage.objects.live().select_related("image").in_bulk(quantities)
        lines = [
            _line(products[product_id], quantity, products[product_id].price)
            for product_id, quantity in quantities.items()
            if product_id in products
        ]
        gone = set(quantities) - set(products)
        for product_id in gone:
            self.remove(product_id)
        rule = pricing.current_discount_rule()
        totals = pricing.price_lines(((line.unit_price, line.quantity) for line in lines), rule)
        # The session keeps no names: a product withdrawn since is just "a product".
        removed = ["A product"] * len(gone)
        return CartContents(lines=lines, totals=totals, rule=rule, removed=removed)


class CustomerCart:
    """A signed-in customer's cart: their one Order in CART status.

    Change it inside `with cart.editing(create=...)`, which holds the order's row lock.
    """

    def __init__(self, customer):
        self.customer = customer
        self.order = None

    @contextmanager
    def editing(self, create=False):
        """Lock the cart order for the duration of a change, so concurrent changes queue."""
        with transaction.atomic():
            self.order = self._locked_order(create)
            yield self

    def _locked_order(self, create):
        carts = Order.objects.select_for_update().filter(
            customer=self.customer, status=OrderStatus.CART
        )
        order = carts.first()
        if order is None and create:
            try:
                with transaction.atomic():
                    order = Order.objects.create(customer=self.customer)
            except IntegrityError:  # another request of this customer created it first
                order = carts.get()
        return order

    def current_order(self):
        if self.order is None:
            self.order = Order.objects.filter(
                customer=self.customer, status=OrderStatus.CART
            ).first()
        return self.order

    def quantities(self):
        order = self.current_order()
        if order is None:
            return {}
        return dict(order.items.filter(product__isnull=False).values_list("product", "quantity"))

    def set_quantity(self, product, quantity):
        item, created = OrderItem.objects.get_or_create(
            order=self.order,
            product=product,
            defaults={"quantity": quantity, "product_name": product.title},
        )
        if not created:
            item.quantity = quantity
            item.product_name = product.title
            item.save(update_fields=["quantity", "product_name"])

    def remove(self, product_id):
        if self.order is not None:
            for item in self.order.items.filter(product_id=product_id):
                item.delete()

    def contents(self):
        order = self.current_order()
        if order is None:
            rule = pricing.current_discount_rule()
            return CartContents(lines=[], totals=pricing.price_lines([], rule), rule=rule,
                                removed=[])
        items = list(order.items.select_related("product", "product__image"))
        lines, removed = [], []
        for item in items:
            if item.product is None or not item.product.live:
                removed.append(item.product_name or "A product")
                item.delete()
            else:
                lines.append(_line(item.product, item.quantity, item.product.price))
        rule = pricing.current_discount_rule()
        # Prices may have changed since the last edit: the cart shows today's prices.
        totals = pricing.recalculate_order(order, rule)
        return CartContents(lines=lines, totals=totals, rule=rule, removed=removed)


def _line(product, quantity, unit_price):
    return CartLine(product, quantity, unit_price, pricing.line_total(unit_price, quantity))


def cart_for(request):
    """The cart of whoever made `request`."""
    if request.user.is_authenticated:
        return CustomerCart(customer_for(request.user))
    return SessionCart(request.session)


def sellable_product(product_id):
    product = ProductPage.objects.live().filter(pk=product_id).first()
    if product is None:
        raise CartError(NOT_FOR_SALE)
    return product


def check_quantity(quantity):
    """Refuse a quantity outside 1 to 99, the range one cart line may have."""
    if quantity < 1:
        raise CartError("The quantity must be at least 1.")
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can buy at most {MAX_QUANTITY} of one product.")


def check_line(product, quantity):
    """Refuse a cart line of `quantity` units of `product` that the shop could not sell."""
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can have at most {MAX_QUANTITY} of {product.title} in your cart.")
    if product.stock is not None and quantity > product.stock:
        if product.stock == 0:
            raise CartError(f"Sorry, {product.title} is out of stock.")
        raise CartError(f"Sorry, only {product.stock} of {product.title} left in stock.")


def add_to_cart(cart, product_id, quantity):
    """Add `quantity` units of a live product to `cart`. Returns the product and new quantity."""
    check_quantity(quantity)
    product = sellable_product(product_id)
    with cart.editing(create=True):
        new_quantity = cart.quantities().get(product.pk, 0) + quantity
        check_line(product, new_quantity)
        cart.set_quantity(product, new_quantity)
    return product, new_quantity


def change_quantity(cart, product_id, quantity):
    """Set how many units of a product already in `cart` the shopper wants."""
    check_quantity(quantity)
    product = sellable_product(product_id)
    with cart.editing():
        if product.pk not in cart.quantities():
            raise CartError(f"{product.title} is not in your cart.")
        check_line(product, quantity)
        cart.set_quantity(product, quantity)
    return product


def remove_from_cart(cart, product_id):
    """Take a product out of `cart`, even one that is no longer for sale."""
    with cart.editing():
        cart.remove(product_id)


def merge_session_cart(request, user):
    """Move the session cart into `user`'s customer cart: quantities add, capped at 99.

    Products that stopped being for sale meanwhile are left out. Stock is checked at checkout.
    """
    session_cart = SessionCart(request.session)
    quantities = session_cart.quantities()
    if not quantities:
        return
    customer_cart = CustomerCart(customer_for(user))
    products = ProductPage.objects.live().in_bulk(quantities)
    with customer_cart.editing(create=True):
        existing = customer_cart.quantities()
        for product_id, quantity in quantities.items():
            if product_id in products:
                merged = min(existing.get(product_id, 0) + quantity, MAX_QUANTITY)
                customer_cart.set_quantity(products[product_id], merged)
    session_cart.clear()


def cart_item_count(request):
    """Units in the cart of whoever made `request`, for the header."""
    if not request.user.is_authenticated:
        return sum(SessionCart(request.session).quantities().values())
    count = OrderItem.objects.filter(
        order__customer__user=request.user,
        order__status=OrderStatus.CART,
        product__isnull=False,
    ).aggregate(units=Sum("quantity"))["units"]
    return count or 0
