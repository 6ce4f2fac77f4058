"""Placing an order: the shopper's cart (a customer's or a guest's) becomes an order, all or
nothing."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from commerce import pricing
from commerce.cart.carts import SESSION_CART_KEY, SessionCart
from commerce.checkout.models import CheckoutDetail
from commerce.checkout.reservations import reservation_time, schedule_release
from commerce.orders.emails import send_order_confirmation
from commerce.orders.models import Order, OrderItem, OrderStatus
from commerce.orders.stock import OutOfStock, ProductUnavailable, reserve_stock
from commerce.payments.gateways import PaymentDeclined, PaymentResult, get_gateway
from commerce.payments.models import PaymentStatus
from commerce.promotions.vouchers import VoucherRefused, check_voucher
from commerce.shipping.rates import ShippingUnavailable, chosen_delivery
from home.shared.postal import ADDRESS_FIELDS, DEFAULT_COUNTRY, postal_lines

logger = logging.getLogger(__name__)

DELIVERY_FIELDS = [*ADDRESS_FIELDS, "phone"]
# What a delivery that does not say has: no second address line, and the US.
DELIVERY_DEFAULTS = {"address_line2": "", "country": DEFAULT_COUNTRY}
BILLING_FIELDS = ["billing_name", "billing_email", "billing_address"]
SHIPPING_AND_TAX_FIELDS = [
    "shipping_method_name", "shipping", "tax", "tax_rate", "tax_on_shipping",
]


class CheckoutError(Exception):
    """The order could not be placed and nothing changed. The message is for the customer;
    `field` names the checkout form field it concerns, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@sensitive_variables("card")
def place_order(shopper, delivery, payment_method, checkout_token, *, expected_total,
                card=None):
    """Place the cart of `shopper` (a Customer, or a Guest with their session) as an order
    and, when paying by card, pay it; return the order.

    The checkout page's one step: reserve_order, then, for a method whose gateway calls a
    provider, commerce.checkout.payment_flow.pay_order with `card` once the reservation has
    committed.
    A refusal before anything was reserved raises CheckoutError and leaves cart and stock
    untouched. A declined card raises payment_flow.PaymentNotTaken: the order exists,
    awaiting payment with its stock reserved, and the customer can pay it with another card
    or go back to the cart. Placing with a token already used returns that order (paying it
    if it still awaits payment), so a double submit never makes two orders.
    """
    from commerce.checkout.payment_flow import pay_order

    order = reserve_order(
        shopper, delivery, payment_method, checkout_token, expected_total=expected_total
    )
    if order.status == OrderStatus.AWAITING_PAYMENT:
        if get_gateway(payment_method).pays_on_payment_page:
            return order  # paid on its pay page, in the provider's own card fields
        return pay_order(order, card)
    return order


def reserve_order(shopper, delivery, payment_method, checkout_token, *, expected_total):
    """Turn the cart of `shopper` into an order in one short transaction, and return it.

    `shopper` is a Customer (their cart order is placed) or a Guest (their session cart
    becomes an order without a customer, billed to the guest's name and email); only
    locking and loading the cart differs between them.

    `delivery` holds the CheckoutDetail fields (DELIVERY_FIELDS: the address, phone) and
    the chosen `shipping_method` (a ShippingMethod, or None when the shop has none). In
    order: lock the cart, lock the products and take their stock (refusing if any is short),
    snapshot names and prices, and compute the totals, shipping and tax included, through
    commerce.pricing; the order stores the method's name, the shipping and the tax rate. A method
    whose gateway calls a payment provider (card) leaves the order AWAITING_PAYMENT, its
    stock reserved until `payment_due_by` (SHOP_PAYMENT_RESERVATION_MINUTES from now): the
    provider is called only after this transaction commits (commerce.checkout.payment_flow), so no
    product row stays locked while it answers. Cash on delivery needs no provider: the order
    is PLACED at once and its confirmation emailed. Any refusal raises CheckoutError and
    leaves cart and stock untouched.

    `checkout_token` comes from the checkout form: placing with a token already used returns
    the order it placed, so a double submit never makes two orders. `expected_total` is the
    total the customer was shown: if a price or the discount changed since, or it is None (a
    form that did not send it), nothing is placed and they are told the total now due, so
    nobody is charged an amount they did not see.
    """
    buyer = shopper if isinstance(shopper, Guest) else _CustomerBuyer(shopper)
    delivery = {**DELIVERY_DEFAULTS, **delivery}
    try:
        gateway = get_gateway(payment_method)
        with transaction.atomic():
            placed = buyer.placed_order(checkout_token)
            if placed is not None:
                return placed
            order, items = buyer.lock_cart()
            if order is None:
                # A submit of the same form may have placed the cart while we waited for it.
                placed = buyer.placed_order(checkout_token)
                if placed is not None:
                    return placed
                raise CheckoutError("Your cart is empty.")
            if not items:
                raise CheckoutError("Your cart is empty.")
            gone = [
                item.product_name or "a product"
                for item in items if item.product is None or item.variant_id is None
            ]
            if gone:
                raise ProductUnavailable(gone)

            variants = reserve_stock(_units_by_variant(items), order=order)
            for item in items:
                snapshot_line(item, variants[item.variant_id])
            rule = pricing.current_discount_rule()
            shipment = chosen_delivery(
                delivery["state"], delivery.get("shipping_method"),
                ((variants[i.variant_id].product, i.quantity) for i in items),
            )
            lines = [(i.unit_price, i.quantity) for i in items]
            voucher = _checked_voucher(order.voucher_code, pricing.subtotal(lines), buyer)
            terms = pricing.voucher_terms(voucher)
            totals = pricing.price_lines(lines, rule, shipment, terms)
            if expected_total is None:
                raise CheckoutError(
                    f"The total of your order is {pricing.format_money(totals.total)}. Check "
                    "your order and place it again; nothing was ordered or charged."
                )
            if totals.total != expected_total:
                raise CheckoutError(
                    f"The total of your order is now {pricing.format_money(totals.total)}, not "
                    f"{pricing.format_money(expected_total)}: a price, the discount, the shipping "
                    "or the tax changed since you opened this page. Check your order and place "
                    "it again."
                )

            now = timezone.now()
            if gateway.calls_provider:
                payment = PaymentResult(status=PaymentStatus.PENDING)
                order.status = OrderStatus.AWAITING_PAYMENT
                order.payment_due_by = now + reservation_time()
            else:
                # Cash on delivery: nothing outside the shop is asked, so it is safe here.
                payment = gateway.authorise(totals.total, reference=f"order {order.pk}")
                order.status = OrderStatus.PLACED
            order.date_ordered = now
            order.number = order_number(order, now)
            order.checkout_token = checkout_token
            order.stock_reserved = True
            snapshot_billing(order, buyer, delivery)
            snapshot_shipping_and_tax(order, delivery.get("shipping_method"), shipment, totals)
            # The order keeps the voucher only when its discount is the one it got: that is a
            # use (commerce.promotions.vouchers), counted while the voucher's row is locked.
            order.voucher = voucher if totals.voucher is not None else None
            order.voucher_code = order.voucher.code if order.voucher else ""
            order.save(
                update_fields=[
                    "status", "payment_due_by", "date_ordered", "number", "checkout_token",
                    "stock_reserved", *BILLING_FIELDS, *SHIPPING_AND_TAX_FIELDS,
                    "voucher", "voucher_code", "updated_at",
                ]
            )
            # One statement for every line, and no per-line signal: the order's totals are
            # recalculated once, below, instead of once per line.
            OrderItem.objects.bulk_update(items, LINE_SNAPSHOT_FIELDS)
            CheckoutDetail.objects.create(
                order=order,
                customer=buyer.customer,
                **{name: delivery[name] for name in DELIVERY_FIELDS},
                payment_method=gateway.method,
                payment_status=payment.status,
            )
            pricing.recalculate_order(order, rule)
            if order.status == OrderStatus.PLACED:
                transaction.on_commit(lambda: send_order_confirmation(order))
            else:
                transaction.on_commit(lambda: schedule_release(order))
    except OutOfStock as error:
        raise CheckoutError(str(error)) from None
    except ProductUnavailable as error:
        raise CheckoutError(str(error)) from None
    except PaymentDeclined as error:
        raise CheckoutError(error.message, field=error.field) from None
    except ShippingUnavailable as error:
        raise CheckoutError(str(error), field="shipping_method") from None
    return order


@dataclass(frozen=True)
class Guest:
    """A shopper checking out without an account: the cart of their `session` (a SessionCart)
    becomes an order with no customer, billed to `name` at `email`."""

    session: object
    email: str
    name: str
    customer = None

    def placed_order(self, checkout_token):
        # The token is a secret of the checkout form this browser was given.
        return _placed_with_token(checkout_token, customer=None)

    def lock_cart(self):
        """(order, items) for the session cart, locked, moved into a new order (still in the
        CART status) and deleted; (None, []) without one. Rolled back with the transaction."""
        session_cart = SessionCart(self.session)
        with session_cart.editing():  # its row stays locked until placing commits
            cart = session_cart.cart
        if cart is None:
            return None, []
        lines = list(cart.lines.select_related("product"))
        order = Order.objects.create(customer=None, voucher_code=cart.voucher_code)
        # No per-line signal: reserve_order recalculates the totals once.
        items = OrderItem.objects.bulk_create([
            OrderItem(order=order, product=line.product, variant_id=line.variant_id,
                      quantity=line.quantity, product_name=line.product.title)
            for line in lines
        ])
        cart.delete()
        transaction.on_commit(lambda: self.session.pop(SESSION_CART_KEY, None))
        return order, items


class _CustomerBuyer:
    """A signed-in customer checking out: their cart is their order in the CART status."""

    def __init__(self, customer):
        self.customer = customer
        self.name = customer.name
        self.email = customer.email

    def placed_order(self, checkout_token):
        return _placed_with_token(checkout_token, customer=self.customer)

    def lock_cart(self):
        order = Order.objects.carts().select_for_update().filter(customer=self.customer).first()
        if order is None:
            return None, []
        return order, list(order.items.select_related("product"))


def _checked_voucher(code, amount_before, buyer):
    """The Voucher named `code` (None for no code), checked again with its row locked until
    the order commits; a refused code raises CheckoutError saying why."""
    if not code:
        return None
    try:
        return check_voucher(
            code, amount_before, customer=buyer.customer, email=buyer.email, lock=True
        )
    except VoucherRefused as refusal:
        raise CheckoutError(
            f"{refusal} Remove the code from your cart to order without it; nothing was "
            "ordered or charged."
        ) from None


def _placed_with_token(checkout_token, **whose):
    return Order.objects.not_carts().filter(checkout_token=checkout_token, **whose).first()


def _units_by_variant(items):
    units = {}
    for item in items:
        units[item.variant_id] = units.get(item.variant_id, 0) + item.quantity
    return units


LINE_SNAPSHOT_FIELDS = [
    "unit_price", "regular_unit_price", "product_name", "sku", "options", "reserved_quantity",
]


def snapshot_line(item, variant):
    """Copy onto order line `item` (not saved) what it sells as it is now: the product's name,
    the variant's SKU, options and unit price (with its regular price when sold at a sale
    price), and the units taken from its counted stock."""
    item.unit_price = variant.unit_price
    item.regular_unit_price = variant.was_price
    item.product_name = variant.product.title
    item.sku = variant.sku
    item.options = variant.option_labels
    item.reserved_quantity = item.quantity if variant.stock is not None else 0


def snapshot_billing(order, buyer, delivery):
    """Copy who is billed onto `order` (not saved): the name and email of `buyer` (a Customer
    or Guest) and the delivery address as they are now, for its invoice, emails and admin
    page to show."""
    order.billing_name = buyer.name
    order.billing_email = buyer.email
    delivery = {**DELIVERY_DEFAULTS, **delivery}
    order.billing_address = billing_address(**{name: delivery[name] for name in DELIVERY_FIELDS})


def snapshot_shipping_and_tax(order, method, shipment, totals):
    """Copy onto `order` (not saved) the shipping method's name, the shipping and tax charged
    and the tax rate applied, so a later change of rates never rewrites the placed order."""
    tax_rule = shipment.tax_rule
    order.shipping_method_name = method.name if method is not None else ""
    order.shipping, order.tax = totals.shipping, totals.tax
    order.tax_rate = tax_rule.percentage if tax_rule else 0
    order.tax_on_shipping = bool(tax_rule and tax_rule.taxes_shipping)


def billing_address(**delivery):
    """The address lines an invoice prints (home.shared.postal.postal_lines), one a line."""
    return "\n".join(postal_lines(**delivery))


def order_number(order, placed_at):
    """The number customers quote: the date placed in the shop's time zone (TIME_ZONE, as the
    invoice and emails show it) and the order's whole id, e.g. 20250314-000042."""
    return f"{timezone.localdate(placed_at):%Y%m%d}-{order.pk:06d}"
