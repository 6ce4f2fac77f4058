"""All money arithmetic of the shop, and the one definition of the bulk discount.

Amounts are Decimal, rounded half up to cents. Views, signals, checkout, emails and the admin
call these functions or display what `recalculate_order` stored; none of them does its own sums.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F
from django.utils import timezone

from commerce.orders.models import Order, OrderStatus
from commerce.promotions.models import BulkDiscountSettings
from home.shared import fixed_lookups

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(amount):
    """`amount` as a Decimal rounded half up to 2 places (never via float)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


# Written before the amount; any other currency shows its code: "CHF 1,299.00".
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$", "AUD": "$"}


def format_money(amount):
    """`amount` in the shop's currency as shown to people: "$1,299.00"."""
    return with_currency(f"{to_money(amount):,.2f}")


def with_currency(number):
    """`number`, already written out ("1,299.00", "1,300"), marked with the shop's currency
    (settings.SHOP_CURRENCY): "$1,299.00", or "CHF 1,299.00" for a currency without a symbol
    here."""
    code = settings.SHOP_CURRENCY
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{number}" if symbol else f"{code} {number}"


# Currencies a payment provider counts in whole units, not hundredths (Stripe's list).
ZERO_DECIMAL_CURRENCIES = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
}


def format_percentage(percentage):
    """`percentage` as shown to people, without trailing zeros: "20%", "12.5%"."""
    return f"{Decimal(percentage).normalize():f}%"


def minor_units(amount, currency=None):
    """`amount` as the whole number of the currency's smallest unit a provider charges:
    Decimal("12.34") USD is 1234 cents; 1234 JPY is 1234."""
    currency = (currency or settings.SHOP_CURRENCY).upper()
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    return int((to_money(amount) * 10**exponent).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(units, currency=None):
    """The Decimal amount of `units` of the currency's smallest unit (minor_units reversed)."""
    currency = (currency or settings.SHOP_CURRENCY).upper()
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    return to_money(Decimal(int(units)).scaleb(-exponent))


@dataclass(frozen=True)
class DiscountRule:
    """More than `threshold` units on one line takes `percentage`% off the order."""

    threshold: int
    percentage: Decimal
    enabled: bool = True

    def applies_to(self, quantities):
        return self.enabled and any(quantity > self.threshold for quantity in quantities)


@dataclass(frozen=True)
class Totals:
    """The parts of an order's price, in the order they are computed: subtotal, bulk
    discount, shipping, tax; total is their sum."""

    subtotal: Decimal
    discount: Decimal
    total: Decimal
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    # Which promotion `discount` is, as shown to people, and the voucher when it is one.
    discount_name: str = ""
    voucher: "VoucherTerms | None" = None

    @property
    def merchandise(self):
        """What the products cost after the bulk discount."""
        return self.subtotal - self.discount


@dataclass(frozen=True)
class VoucherTerms:
    """What a voucher code takes off (commerce.promotions.models.Voucher has these attributes
    too): `percentage`% of the subtotal, or a fixed `amount_off`, when the subtotal reaches
    `minimum` (None: any order)."""

    code: str
    percentage: Decimal | None = None
    amount_off: Decimal | None = None
    minimum: Decimal | None = None


@dataclass(frozen=True)
class Promotion:
    """The one discount an order gets: its `name` for people, its `amount`, and the voucher
    when that is what applied (None for the bulk discount or no discount)."""

    name: str
    amount: Decimal
    voucher: VoucherTerms | None = None


NO_PROMOTION = Promotion(name="", amount=ZERO)


@dataclass(frozen=True)
class ShippingRate:
    """How a shipping method is priced (commerce.shipping.models.ShippingMethod has the same
    three attributes): a flat price, plus an optional price per kg, free from an optional
    merchandise amount."""

    flat_price: Decimal
    price_per_kg: Decimal | None = None
    free_above: Decimal | None = None


@dataclass(frozen=True)
class TaxRule:
    """The sales tax of a destination: `percentage` (7.250 is 7.25%) of the merchandise after
    the bulk discount, plus of the shipping when `taxes_shipping`."""

    percentage: Decimal
    taxes_shipping: bool = False


@dataclass(frozen=True)
class Delivery:
    """Where and how an order ships, for price_lines: `method` (a ShippingRate or anything with
    its attributes; None ships free), the parcel's `weight_kg`, and the destination's
    `tax_rule` (None: no tax)."""

    method: object = None
    weight_kg: Decimal = ZERO
    tax_rule: TaxRule | None = None


def current_discount_rule(site=None):
    """The bulk discount rule marketers set for `site` (default: the default site).

    Reading the rule never writes: a site whose settings were never saved gets the defaults.
    Held in memory like the other per-request lookups (home.shared.fixed_lookups: saving a
    setting or a site makes every process read it again), so a request reads it at most once;
    one query outside a request.
    """
    return fixed_lookups.held(
        "bulk discount rule", None if site is None else site.pk, lambda: _discount_rule(site)
    )


def _discount_rule(site):
    if site is None:
        settings = BulkDiscountSettings.objects.filter(site__is_default_site=True).first()
    else:
        settings = BulkDiscountSettings.objects.filter(site=site).first()
    settings = settings or BulkDiscountSettings()
    return DiscountRule(
        threshold=settings.threshold, percentage=settings.percentage, enabled=settings.enabled
    )


def line_total(unit_price, quantity):
    return to_money(Decimal(unit_price) * quantity)


def subtotal(lines):
    """Sum of the line totals of `lines`, an iterable of (unit_price, quantity)."""
    return to_money(sum((line_total(price, quantity) for price, quantity in lines), ZERO))


def discount(lines, rule):
    """The bulk discount on `lines`: a percentage of the subtotal, or zero."""
    lines = list(lines)
    if not rule.applies_to(quantity for _price, quantity in lines):
        return ZERO
    return to_money(subtotal(lines) * rule.percentage / 100)


def voucher_discount(voucher, amount_before):
    """What `voucher` (VoucherTerms, or None) takes off a subtotal of `amount_before`: zero
    below its minimum, never more than the subtotal."""
    if voucher is None or (voucher.minimum is not None and amount_before < voucher.minimum):
        return ZERO
    if voucher.percentage is not None:
        return to_money(amount_before * Decimal(voucher.percentage) / 100)
    return min(to_money(voucher.amount_off or ZERO), amount_before)


def better_promotion(rule, bulk_amount, voucher, voucher_amount):
    """The one discount an order gets: the bulk discount of `rule` (worth `bulk_amount`) and
    `voucher` (worth `voucher_amount`) do not stack, the shopper gets whichever saves more (the
    bulk discount on a tie, so no use of the code is spent for nothing). The name says which,
    and that it beat the other when both applied: "Voucher SAVE10 (saves more than the bulk
    discount)", "Bulk discount (20% off, saves more than voucher SAVE10)"."""
    code = voucher.code if voucher is not None else ""
    if voucher_amount > bulk_amount:
        suffix = " (saves more than the bulk discount)" if bulk_amount else ""
        return Promotion(f"Voucher {code}{suffix}", voucher_amount, voucher)
    if bulk_amount:
        beaten = ""
        if voucher_amount:
            than = "as much as" if voucher_amount == bulk_amount else "more than"
            beaten = f", saves {than} voucher {code}"
        return Promotion(
            f"Bulk discount ({format_percentage(rule.percentage)} off{beaten})", bulk_amount
        )
    return NO_PROMOTION


def sale_saving():
    """An expression, on order lines, for the money a line's sale price took off it: (regular
    price - price charged) × quantity (lines sold at their regular price have none)."""
    return ExpressionWrapper(
        (F("regular_unit_price") - F("unit_price")) * F("quantity"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def total(lines, rule):
    lines = list(lines)
    return subtotal(lines) - discount(lines, rule)


def shipping_price(method, weight_kg, merchandise):
    """What `method` (a ShippingRate, or None: free) charges for a parcel of `weight_kg` kg
    when the merchandise after the bulk discount is `merchandise`: free from its free_above
    amount, else the flat price plus the price per kg times the weight."""
    if method is None:
        return ZERO
    if method.free_above is not None and merchandise >= method.free_above:
        return ZERO
    per_kg = (method.price_per_kg or ZERO) * Decimal(weight_kg)
    return to_money(Decimal(method.flat_price) + per_kg)


def sales_tax(tax_rule, merchandise, shipping):
    """The tax of `tax_rule` (None: no tax) on `merchandise` after the bulk discount, plus on
    `shipping` where the state taxes it, rounded half up to cents."""
    if tax_rule is None:
        return ZERO
    taxed = merchandise + (shipping if tax_rule.taxes_shipping else ZERO)
    return to_money(taxed * Decimal(tax_rule.percentage) / 100)


def price_lines(lines, rule, delivery=None, voucher=None):
    """The Totals of `lines` (an iterable of (unit_price, quantity)) shipped by `delivery`
    (a Delivery; None: no shipping and no tax) with `voucher` (VoucherTerms, or None), in the
    shop's one order of operations: subtotal, then the better of the bulk discount and the
    voucher (better_promotion), then shipping, then tax on the discounted merchandise (and the
    shipping where taxed), then the total, their sum."""
    lines = list(lines)
    delivery = delivery or Delivery()
    amount_before = subtotal(lines)
    promotion = better_promotion(
        rule, discount(lines, rule), voucher, voucher_discount(voucher, amount_before)
    )
    amount_off = promotion.amount
    merchandise = amount_before - amount_off
    shipping = shipping_price(delivery.method, delivery.weight_kg, merchandise)
    tax = sales_tax(delivery.tax_rule, merchandise, shipping)
    return Totals(
        subtotal=amount_before,
        discount=amount_off,
        shipping=shipping,
        tax=tax,
        total=max(ZERO, merchandise + shipping + tax),
        discount_name=promotion.name,
        voucher=promotion.voucher,
    )


def stored_total_rows(order):
    """The (label, amount) rows every printed view of a placed `order` shows under its lines
    (admin, PDF invoice, text emails), from what it stored: subtotal, bulk discount (negative)
    if any, shipping with its method's name and tax with its rate where charged, and total."""
    rows = [("Subtotal", order.subtotal)]
    if order.discount:
        rows.append((order.discount_name or "Discount", -order.discount))
    if order.shipping_method_name or order.shipping:
        name = f" ({order.shipping_method_name})" if order.shipping_method_name else ""
        rows.append((f"Shipping{name}", order.shipping))
    if order.tax_rate or order.tax:
        rate = f" ({format_percentage(order.tax_rate)})" if order.tax_rate else ""
        rows.append((f"Sales tax{rate}", order.tax))
    rows.append(("Total", order.total))
    return rows


def stored_delivery(order):
    """The Delivery a placed `order` was charged: the shipping price and tax rate it stored
    (a cart has none: its shipping and tax are estimated live, never stored)."""
    if order.status == OrderStatus.CART:
        return Delivery()
    tax_rule = TaxRule(order.tax_rate, order.tax_on_shipping) if order.tax_rate else None
    return Delivery(method=ShippingRate(flat_price=order.shipping), tax_rule=tax_rule)


def unit_price(item, status):
    """What one unit of `item` costs in an order of `status`.

    A cart follows the live price of the line's variant (its own, else its product's); a placed
    order keeps the price it was sold at.
    None when a cart line's product has been deleted: such a line cannot be bought.
    """
    if status == OrderStatus.CART:
        # By id: the line's own product is never loaded, its variant's is.
        if item.product_id is None or item.variant_id is None:
            return None
        return item.variant.unit_price
    return item.unit_price


def order_lines(order, items=None):
    """The (unit_price, quantity) pairs of `order` that have a price, from `items` (all its
    items, with a cart's variants and their products loaded) when the caller holds them."""
    if items is None:
        items = order.items.all()
        if order.status == OrderStatus.CART:
            items = items.select_related("variant__product")
    priced = ((unit_price(item, order.status), item.quantity) for item in items)
    return [(price, quantity) for price, quantity in priced if price is not None]


def order_subtotal(order):
    return subtotal(order_lines(order))


def reprice_cart(order, items=None):
    """After a change to `order`'s items: a cart is repriced with today's prices and discount
    rule (recalculate_order, from `items` when the caller holds them all); a placed order keeps
    the totals it was sold at, which are what was charged and what a refund gives back.
    Returns the Totals stored, or None.
    """
    if order.status != OrderStatus.CART:
        return None
    return recalculate_order(order, items=items)


def voucher_terms(voucher):
    """The VoucherTerms of a Voucher (or None)."""
    if voucher is None:
        return None
    percentage = voucher.value if voucher.kind == "percentage" else None
    amount_off = None if percentage is not None else voucher.value
    return VoucherTerms(voucher.code, percentage, amount_off, voucher.minimum_order)


def order_voucher(order):
    """The VoucherTerms `order` is priced with: a cart's code if it names a voucher that is
    on and within its dates now (limits are checked when the code is entered and at checkout,
    commerce.promotions.vouchers); a placed order's voucher if it used one."""
    from commerce.promotions.vouchers import current_voucher

    if order.status == OrderStatus.CART:
        return voucher_terms(current_voucher(order.voucher_code))
    return voucher_terms(order.voucher)


def recalculate_order(order, rule=None, voucher=None, items=None):
    """Recompute and store `order`'s subtotal, discount, shipping, tax and total from its
    items (`items` if given, else read: order_lines), from scratch.

    Called after every change to a cart's items (see commerce.signals and reprice_cart), so
    the stored amounts never stack or go stale, and once by checkout as the order is placed.
    A cart stores no shipping or tax; a placed order keeps the shipping price and tax rate it
    stored at placement (stored_delivery), so recomputing it never changes what was charged.
    `voucher` (VoucherTerms) defaults to order_voucher(order).
    Returns the Totals stored.
    """
    totals = price_lines(
        order_lines(order, items), rule or current_discount_rule(), stored_delivery(order),
        voucher or order_voucher(order),
    )
    amounts = {
        "subtotal": totals.subtotal,
        "discount": totals.discount,
        "discount_name": totals.discount_name,
        "shipping": totals.shipping,
        "tax": totals.tax,
        "total": totals.total,
    }
    for name, amount in amounts.items():
        setattr(order, name, amount)
    # A queryset update on the order (not its items) writes the amounts without
    # overwriting fields another request may have changed on a stale instance.
    Order.objects.filter(pk=order.pk).update(**amounts, updated_at=timezone.now())
    return totals


def sum_money(amounts):
    """The sum of `amounts` (Decimals), rounded to cents; zero for none."""
    return to_money(sum((to_money(amount) for amount in amounts), ZERO))


def refundable(captured, refunded):
    """What remains to give back of a payment that captured `captured` and has given back
    `refunded` so far: never below zero."""
    return max(to_money(captured) - to_money(refunded), ZERO)


@dataclass(frozen=True)
class RefundTotals:
    """A payment's refunds once one more is counted: `added` is what that refund counts for
    (bounded by what remained), `refunded` the new refunded total, `remaining` what is left."""

    added: Decimal
    refunded: Decimal
    remaining: Decimal


def apply_refund(captured, refunded, amount):
    """The RefundTotals of a payment that captured `captured` and gave back `refunded`, after
    a refund of `amount`: the refunded total never goes beyond what was captured, and a
    negative amount counts for nothing."""
    added = min(max(to_money(amount), ZERO), refundable(captured, refunded))
    total = to_money(refunded) + added
    return RefundTotals(added=added, refunded=total, remaining=refundable(captured, total))
