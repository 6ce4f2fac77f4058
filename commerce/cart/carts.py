"""The shopping cart.

An anonymous shopper's cart is an AnonymousCart row named in their session; a signed-in
customer's cart is their Order in CART status, so it follows them across devices. Both are
changed under a row lock, so a shopper's concurrent requests queue, and hold at most
settings.CART_MAX_LINES products. While a cart is being changed its lines are read once, under
the lock, and kept up to date by the change, so adding to a cart costs the same number of
queries however many lines it has. At log-in the session cart is merged into the customer's,
within stock (`merge_session_cart`).

A line is one variant of a product (the configuration chosen; a product sold in one
configuration has one). The client only ever chooses a variant and a quantity: prices come
from the variants and their product pages, and totals from commerce.pricing. Every change to
a customer's cart goes through OrderItem.save()
or .delete(), so the order's stored totals are recomputed by commerce.signals.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from commerce import pricing
from commerce.cart.models import AnonymousCart, AnonymousCartLine
from commerce.customers.accounts import customer_for
from commerce.orders.models import MAX_QUANTITY, Order, OrderItem, OrderStatus, cart_q
from commerce.promotions.vouchers import VoucherRefused, check_voucher, current_voucher
from products.variants import ProductVariant

# In the session: the key of the anonymous shopper's AnonymousCart row.
SESSION_CART_KEY = "anonymous_cart"
NOT_FOR_SALE = "Sorry, that product is not for sale."

# The CustomerCart being changed in this thread, inside its `editing()` block: the signals
# reprice its order from the lines it holds (reprice_order_of).
_cart_being_edited = contextvars.ContextVar("cart_being_edited", default=None)


class CartError(Exception):
    """A cart change the shop refuses. The message is written for the shopper."""


@dataclass(frozen=True)
class CartLine:
    variant: ProductVariant
    quantity: int
    unit_price: Decimal
    line_total: Decimal

    @property
    def product(self):
        return self.variant.product

    @property
    def name(self):
        """The product's name with the chosen options: "XPS 13 (32 GB RAM, Silver)"."""
        return self.variant.display_name


@dataclass(frozen=True)
class CartContents:
    lines: list
    totals: pricing.Totals
    rule: pricing.DiscountRule
    # Lines whose product is no longer for sale: shown, left out of the totals, and kept
    # until the shopper removes them (showing a cart changes nothing).
    unavailable: list
    # Set by commerce.shipping.rates for the cart page's estimate and the checkout page.
    shipping_name: str = ""
    shipping_from: bool = False
    tax_known: bool = False
    # The voucher code the shopper entered ("" for none) and the voucher it prices with (None
    # when the code is no longer valid: the cart shows it, not applied).
    voucher_code: str = ""
    voucher: pricing.VoucherTerms | None = None

    @property
    def is_empty(self):
        return not self.lines


class SessionCart:
    """An anonymous shopper's cart: an AnonymousCart row named in their session.

    Same interface as CustomerCart: change it inside `with cart.editing(create=...)`, which
    holds the row's lock, so concurrent requests of one shopper queue instead of overwriting
    each other. The session keeps the key the row was made under, so the cart is still found
    after log-in gives the session a new key, until merge_session_cart has moved it.
    """

    def __init__(self, session):
        self.session = session
        self.cart = None
        self._editing = False
        # While editing: {variant id: quantity} of the locked cart's lines, once read.
        self._lines = None

    def _cart_key(self):
        key = self.session.get(SESSION_CART_KEY)
        return key if isinstance(key, str) else None

    @contextmanager
    def editing(self, create=False):
        key = self._cart_key()
        if key is None and create:
            if self.session.session_key is None:
                self.session.save()  # a session is only started for a cart, never for a page
            key = self.session.session_key
            self.session[SESSION_CART_KEY] = key
        # Saved again after the change, so the session (and so the cart) lives
        # SESSION_COOKIE_AGE from the shopper's last change.
        self.session.modified = True
        with transaction.atomic():
            self.cart, created = None, False
            if key:
                self.cart, created = _locked_row(
                    AnonymousCart.objects.filter(session_key=key), create,
                    lambda: AnonymousCart.objects.create(session_key=key),
                )
            self._lines = {} if created else None
            self._editing = True
            try:
                yield self
            finally:
                self._editing, self._lines = False, None

    def current_cart(self):
        if self.cart is None and self._cart_key() is not None:
            self.cart = AnonymousCart.objects.filter(session_key=self._cart_key()).first()
        return self.cart

    def quantities(self):
        if self._editing:
            return dict(self._edited_lines())
        return self._read_lines()

    def _read_lines(self):
        cart = self.current_cart()
        if cart is None:
            return {}
        return dict(cart.lines.values_list("variant", "quantity"))

    def _edited_lines(self):
        """{variant id: quantity} of the cart being edited: read once under its lock, then
        kept up to date by set_quantity and remove."""
        if self._lines is None:
            self._lines = self._read_lines()
        return self._lines

    def unit_count(self):
        if self._cart_key() is None:
            return 0
        units = AnonymousCartLine.objects.filter(cart__session_key=self._cart_key()).aggregate(
            units=Sum("quantity")
        )["units"]
        return units or 0

    def set_quantity(self, variant, quantity):
        lines = self._edited_lines()
        # The cart's row lock makes what was read the truth: update or insert, nothing to
        # look up again.
        if variant.pk in lines:
            self.cart.lines.filter(variant=variant).update(
                quantity=quantity, product_id=variant.product_id
            )
        else:
            AnonymousCartLine.objects.create(
                cart=self.cart, variant=variant, product_id=variant.product_id,
                quantity=quantity,
            )
        lines[variant.pk] = quantity
        self._touch()

    def remove(self, lines):
        if self.cart is not None:
            self.cart.lines.filter(lines).delete()
            self._lines = None  # which lines went is the database's to say
            self._touch()

    def _touch(self):
        AnonymousCart.objects.filter(pk=self.cart.pk).update(updated_at=timezone.now())

    def clear(self):
        if self.cart is not None:
            self.cart.delete()
            self.cart = None
        self._lines = None
        self.session.pop(SESSION_CART_KEY, None)

    def voucher_code(self):
        cart = self.current_cart()
        return cart.voucher_code if cart is not None else ""

    def set_voucher_code(self, code):
        self.cart.voucher_code = code
        AnonymousCart.objects.filter(pk=self.cart.pk).update(
            voucher_code=code, updated_at=timezone.now()
        )

    def contents(self):
        cart = self.current_cart()
        if cart is None:
            return _empty_contents()
        return _contents(cart.lines.all(), cart.voucher_code)


class CustomerCart:
    """A signed-in customer's cart: their one Order in CART status.

    Change it inside `with cart.editing(create=...)`, which holds the order's row lock. Made
    for a signed-in user (`of_user`), the cart reads the Customer with its order.
    """

    def __init__(self, customer=None):
        self._customer = customer
        self.user = None
        self.order = None
        # While editing: the locked order's items, with their variants and products, once read.
        self._items = None

    @classmethod
    def of_user(cls, user):
        """The cart of signed-in `user`, whose Customer is read with the cart's order (or, when
        there is no order yet, made if the account has none: customer_for)."""
        cart = cls()
        cart.user = user
        return cart

    @property
    def customer(self):
        """The Customer whose cart this is (made for an account that has none)."""
        if self._customer is None:
            self._customer = customer_for(self.user, create=True)
        return self._customer

    def _orders(self):
        """The customer's cart order, as a query."""
        if self._customer is not None:
            return Order.objects.carts().filter(customer=self._customer)
        return Order.objects.carts().filter(customer__user=self.user).select_related("customer")

    @contextmanager
    def editing(self, create=False):
        """Lock the cart order for the duration of a change, so concurrent changes queue."""
        with transaction.atomic():
            self.order, created = _locked_row(
                self._orders(), create,
                lambda: Order.objects.create(customer=self.customer, status=OrderStatus.CART),
            )
            if self.order is not None and self._customer is None:
                self._customer = self.order.customer
            self._items = [] if created else None
            outer = _cart_being_edited.get()
            token = _cart_being_edited.set(self)
            try:
                yield self
            finally:
                _cart_being_edited.reset(token)
                self._items = None
                if outer is not None:
                    outer._items = None  # it reads its lines again after this change

    def current_order(self):
        if self.order is None:
            self.order = self._orders().first()
            if self.order is not None and self._customer is None:
                self._customer = self.order.customer
        return self.order

    def quantities(self):
        if _cart_being_edited.get() is self:
            return {
                item.variant_id: item.quantity for item in self._edited_items()
                if item.product_id is not None and item.variant_id is not None
            }
        order = self.current_order()
        if order is None:
            return {}
        return dict(
            order.items.filter(product__isnull=False, variant__isnull=False)
            .values_list("variant", "quantity")
        )

    def _edited_items(self):
        """All the items of the order being edited, with their variants and products: read
        once under its lock, then kept up to date by set_quantity and remove."""
        if self._items is None:
            self._items = (
                [] if self.order is None
                else list(self.order.items.select_related("variant__product"))
            )
        return self._items

    def set_quantity(self, variant, quantity):
        product = variant.product
        items = self._edited_items()
        item = next((item for item in items if item.variant_id == variant.pk), None)
        # Saved, not updated, so that commerce.signals reprices the order (reprice_order_of).
        if item is None:
            item = OrderItem(
                order=self.order, variant=variant, product=product, quantity=quantity,
                product_name=product.title,
            )
            items.append(item)  # before saving: the repricing counts it
            item.save(force_insert=True)
        else:
            item.quantity = quantity
            item.product_name = product.title
            item.save(update_fields=["quantity", "product_name"])

    def remove(self, lines):
        if self.order is not None:
            for item in self.order.items.filter(lines):
                self._items = [kept for kept in self._edited_items() if kept.pk != item.pk]
                item.delete()

    def reprice(self):
        """Store the totals of the order being edited, from the items read under its lock
        (pricing.reprice_cart). Returns the Totals stored."""
        return pricing.reprice_cart(self.order, items=self._edited_items())

    def voucher_code(self):
        order = self.current_order()
        return order.voucher_code if order is not None else ""

    def set_voucher_code(self, code):
        self.order.voucher_code = code
        self.order.save(update_fields=["voucher_code", "updated_at"])
        self.reprice()

    def contents(self):
        order = self.current_order()
        if order is None:
            return _empty_contents()
        # A deleted product takes its cart lines with it (commerce.signals). Priced with
        # today's prices and rule but not stored: showing a cart rewrites nothing. The stored
        # totals follow item changes (commerce.signals) and checkout.
        return _contents(
            order.items.filter(product__isnull=False, variant__isnull=False), order.voucher_code
        )


def _locked_row(rows, create, make):
    """The one cart row of query `rows`, locked until the transaction ends (only that row, not
    the rows it is read with); made by `make()` if missing and `create`. Returns (the row or
    None, whether it was made)."""
    rows = rows.select_for_update(of=("self",))
    row = rows.first()
    if row is None and create:
        try:
            with transaction.atomic():
                return make(), True
        except IntegrityError:  # another request of this shopper made it first
            row = rows.get()
    return row, False


def reprice_order_of(item):
    """Reprice the order of `item`, an order line just saved or deleted, if it is a cart
    (pricing.reprice_cart). Returns the Totals stored, or None.

    The cart being edited in this thread is repriced from the order and items it read under
    its lock; any other order is read afresh (the item's cached order may be stale, or already
    deleted in a cascade).
    """
    edited = _cart_being_edited.get()
    if edited is not None and edited.order is not None and edited.order.pk == item.order_id:
        return edited.reprice()
    order = Order.objects.filter(pk=item.order_id).first()
    return None if order is None else pricing.reprice_cart(order)


def _priced_contents(lines, unavailable, voucher_code=""):
    rule = pricing.current_discount_rule()
    voucher = pricing.voucher_terms(current_voucher(voucher_code))
    totals = pricing.price_lines(
        ((line.unit_price, line.quantity) for line in lines), rule, voucher=voucher
    )
    return CartContents(
        lines=lines, totals=totals, rule=rule, unavailable=unavailable,
        voucher_code=voucher_code, voucher=voucher,
    )


def _empty_contents():
    return _priced_contents([], [])


def _contents(lines, voucher_code=""):
    """The priced contents of cart `lines` (AnonymousCartLine or OrderItem rows): a line whose
    product is no longer published, or whose variant is no longer offered, is unavailable."""
    shown, unavailable = [], []
    for line in lines.select_related("variant__product__image", "variant__image"):
        variant = line.variant
        price = variant.unit_price
        total = pricing.line_total(price, line.quantity)
        cart_line = CartLine(variant, line.quantity, price, total)
        (shown if variant.product.live and variant.active else unavailable).append(cart_line)
    return _priced_contents(shown, unavailable, voucher_code)


def cart_for(request):
    """The cart of whoever made `request`."""
    if request.user.is_authenticated:
        return CustomerCart.of_user(request.user)
    return SessionCart(request.session)


def sellable_variant(product_id, variant_id=None):
    """The variant a shopper asked for: `variant_id` of the live product `product_id` (either
    may be None), or the product's only offered variant when it is sold in one configuration."""
    variants = ProductVariant.objects.select_related("product").filter(
        active=True, product__live=True
    )
    if variant_id is not None:
        variants = variants.filter(pk=variant_id)
    if product_id is not None:
        variants = variants.filter(product_id=product_id)
    elif variant_id is None:
        raise CartError(NOT_FOR_SALE)
    offered = list(variants[:2])
    if not offered:
        raise CartError(NOT_FOR_SALE)
    if len(offered) > 1:
        raise CartError(f"Choose a configuration of {offered[0].product.title} first.")
    return offered[0]


def check_quantity(quantity):
    """Refuse a quantity outside 1 to 99, the range one cart line may have."""
    if quantity < 1:
        raise CartError("The quantity must be at least 1.")
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can buy at most {MAX_QUANTITY} of one product.")


def check_line(variant, quantity):
    """Refuse a cart line of `quantity` units of `variant` that the shop could not sell."""
    name = variant.display_name
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can have at most {MAX_QUANTITY} of {name} in your cart.")
    if variant.stock is not None and quantity > variant.stock:
        if variant.stock == 0:
            raise CartError(f"Sorry, {name} is out of stock.")
        raise CartError(f"Sorry, only {variant.stock} of {name} left in stock.")


def cart_full():
    return (
        f"Your cart is full: it holds at most {settings.CART_MAX_LINES} different products."
    )


def add_to_cart(cart, product_id, quantity, variant_id=None):
    """Add `quantity` units of a live product's variant (see sellable_variant) to `cart`.
    Returns the variant and the line's new quantity."""
    check_quantity(quantity)
    variant = sellable_variant(product_id, variant_id)
    with cart.editing(create=True):
        quantities = cart.quantities()
        if variant.pk not in quantities and len(quantities) >= settings.CART_MAX_LINES:
            raise CartError(f"{cart_full()} Remove one to add {variant.display_name}.")
        new_quantity = quantities.get(variant.pk, 0) + quantity
        check_line(variant, new_quantity)
        cart.set_quantity(variant, new_quantity)
    return variant, new_quantity


def change_quantity(cart, product_id, quantity, variant_id=None):
    """Set how many units of a variant already in `cart` the shopper wants."""
    check_quantity(quantity)
    variant = sellable_variant(product_id, variant_id)
    with cart.editing():
        if variant.pk not in cart.quantities():
            raise CartError(f"{variant.display_name} is not in your cart.")
        check_line(variant, quantity)
        cart.set_quantity(variant, quantity)
    return variant


def remove_from_cart(cart, product_id, variant_id=None):
    """Take a variant (or, without `variant_id`, every variant of a product) out of `cart`,
    even one that is no longer for sale."""
    lines = Q(product_id=product_id) if variant_id is None else Q(variant_id=variant_id)
    with cart.editing():
        cart.remove(lines)


def remove_product_from_carts(product_id):
    """Take a product that is being deleted out of every customer's cart, each cart's totals
    recomputed (visitors' cart lines go with the product by cascade)."""
    for item in OrderItem.objects.filter(cart_q("order__"), product_id=product_id):
        item.delete()


def apply_voucher(cart, code):
    """Keep voucher `code` on `cart` if it may be used on it now (check_voucher); else raise
    CartError saying why, and change nothing. Returns the Voucher."""
    with cart.editing():
        contents = cart.contents()
        if contents.is_empty:
            raise CartError("Add a product to your cart before entering a voucher code.")
        customer = getattr(cart, "customer", None)
        try:
            voucher = check_voucher(code, contents.totals.subtotal, customer=customer)
        except VoucherRefused as refusal:
            raise CartError(str(refusal)) from None
        cart.set_voucher_code(voucher.code)
    return voucher


def remove_voucher(cart):
    """Take the voucher code off `cart`."""
    with cart.editing():
        if cart.voucher_code():
            cart.set_voucher_code("")


def merge_session_cart(request, user):
    """Move the session cart into `user`'s customer cart: quantities add, within stock.

    Each merged line is capped at the product's stock (if tracked) and at 99 units; products
    that stopped being for sale meanwhile are left out, and so are new products that no longer
    fit in a full cart. The shopper is told what was capped or left out, so the cart never
    shows a quantity (or a bulk discount) that checkout would refuse.
    """
    session_cart = SessionCart(request.session)
    left_out, notes = [], []
    with session_cart.editing():
        quantities = session_cart.quantities()
        code = session_cart.voucher_code()
        if quantities:
            customer_cart = CustomerCart(customer_for(user, create=True))
            left_out, notes = _add_lines(customer_cart, quantities)
            if code:  # the code entered last, before logging in, is the one wanted
                with customer_cart.editing():
                    customer_cart.set_voucher_code(code)
        session_cart.clear()
    if left_out:
        notes.append(
            f"{cart_full()} These products from before you logged in did not fit: "
            f"{', '.join(left_out)}."
        )
    for note in notes:
        # A log-in made by code (tests, scripts) has no messages.
        messages.warning(request, note, fail_silently=True)


def restore_to_cart(customer, quantities, voucher_code=""):
    """Put {variant id: units} back into `customer`'s cart, as when they leave an unpaid
    order (commerce.checkout.reservations.back_to_cart): within stock and 99 units, as a merge is,
    with the order's `voucher_code` unless the cart has a code of its own. Returns sentences for
    the shopper about the lines capped or left out."""
    return _restore(CustomerCart(customer), quantities, voucher_code)


def restore_to_session_cart(session, quantities, voucher_code=""):
    """As restore_to_cart, into the session cart of a guest who left their unpaid order."""
    return _restore(SessionCart(session), quantities, voucher_code)


def _restore(cart, quantities, voucher_code):
    left_out, notes = _add_lines(cart, quantities)
    if voucher_code and not cart.voucher_code():
        with cart.editing(create=True):
            cart.set_voucher_code(voucher_code)
    if left_out:
        notes.append(f"{cart_full()} These products did not fit: {', '.join(left_out)}.")
    return notes


def _add_lines(cart, quantities):
    """Add {variant id: units} to `cart`, each line within stock and 99 units, the cart within
    CART_MAX_LINES. Returns (names of products that did not fit, sentences for the shopper
    about the others that were capped or left out)."""
    variants = ProductVariant.objects.select_related("product").in_bulk(quantities)
    left_out, notes = [], []
    with cart.editing(create=True):
        existing = cart.quantities()
        lines = len(existing)
        for variant_id, quantity in quantities.items():
            variant = variants.get(variant_id)
            if variant is None:  # deleted meanwhile, and its session line with it
                continue
            name = variant.display_name
            if not variant.product.live or not variant.active:
                notes.append(f"{name} is no longer for sale and was left out of your cart.")
                continue
            wanted = existing.get(variant_id, 0) + quantity
            merged = min(wanted, _line_limit(variant))
            if merged < 1:
                notes.append(f"Sorry, {name} is out of stock: none were added to your cart.")
                continue
            if variant_id not in existing:
                if lines >= settings.CART_MAX_LINES:
                    left_out.append(name)
                    continue
                lines += 1
            if merged < wanted:
                notes.append(_capped(variant, merged))
            cart.set_quantity(variant, merged)
    return left_out, notes


def _line_limit(variant):
    """The most units of `variant` one cart line may hold now."""
    return MAX_QUANTITY if variant.stock is None else min(variant.stock, MAX_QUANTITY)


def _capped(variant, quantity):
    name = variant.display_name
    if variant.stock is not None and variant.stock <= MAX_QUANTITY:
        verb = "is" if variant.stock == 1 else "are"
        return f"Only {variant.stock} of {name} {verb} in stock, so your cart has {quantity}."
    return f"You can have at most {MAX_QUANTITY} of {name} in your cart, so it has {quantity}."


def clear_abandoned_carts():
    """Delete the anonymous carts whose session has expired or ended. Returns how many.

    Run after Django's `clearsessions`, on a schedule (`manage.py clear_expired_carts`).
    """
    live_session = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    _count, deleted = AnonymousCart.objects.filter(~Exists(live_session)).delete()
    return deleted.get(AnonymousCart._meta.label, 0)


def cart_item_count(request):
    """Units in the cart of whoever made `request`, for the header."""
    if not request.user.is_authenticated:
        return SessionCart(request.session).unit_count()
    count = OrderItem.objects.filter(
        cart_q(via="order__"), order__customer__user=request.user, product__isnull=False
    ).aggregate(units=Sum("quantity"))["units"]
    return count or 0
