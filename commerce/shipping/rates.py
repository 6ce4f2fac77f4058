"""Which shipping methods and tax rate apply to a cart or an order, and their totals.

The money is computed by commerce.pricing; this module finds its inputs: the methods that
serve a state, the parcel's weight from the products' specs, and the state's tax rate.
When no shipping method is active at all, orders ship free (no method is asked for).
"""

import copy
from dataclasses import dataclass, replace
from decimal import Decimal

from wagtail.models import Site

from commerce import pricing
from commerce.shipping.models import ShippingMethod, ShippingSettings, TaxRate
from home.shared import fixed_lookups
from products.weight import product_weight_kg


class ShippingUnavailable(Exception):
    """The chosen shipping method cannot ship this order; the message is for the shopper."""


@dataclass(frozen=True)
class ShippingOption:
    """A method a shopper can pick, with what it charges for their cart."""

    method: ShippingMethod
    price: Decimal


def state_code(state):
    """A state as typed or selected ("ca ") as its two-letter code ("CA")."""
    return (state or "").strip().upper()


def active_methods():
    """The active shipping methods in their admin order. Held in memory like the other
    per-request lookups (home.shared.fixed_lookups; saving or deleting a method makes every
    process read them again); each call gets its own copies."""
    held = fixed_lookups.held(
        "active shipping methods", None, lambda: list(ShippingMethod.objects.filter(active=True))
    )
    return [copy.copy(method) for method in held]


def methods_serving(state):
    """The active methods that ship to `state`, in their admin order."""
    state = state_code(state)
    return [method for method in active_methods() if method.serves(state)]


def tax_rule_for(state):
    """The pricing.TaxRule of `state`, or None where the shop charges no tax."""
    rate = TaxRate.objects.filter(state=state_code(state)).first()
    if rate is None:
        return None
    return pricing.TaxRule(percentage=rate.rate, taxes_shipping=rate.taxes_shipping)


def default_weight_kg():
    """What a product without a weight spec weighs (Settings → Shipping), held in memory
    like the other per-request lookups (saving a setting makes every process read it again)."""

    def read():
        site = Site.objects.filter(is_default_site=True).first()
        settings = ShippingSettings.objects.filter(site=site).first() if site else None
        return (settings or ShippingSettings()).default_weight_kg

    return fixed_lookups.held("default weight", None, read)


def parcel_weight_kg(products_and_quantities):
    """The weight in kg of (product, quantity) pairs: each product's weight spec, or the
    default weight (Settings › Shipping) for a product without one."""
    default = None
    weight = Decimal("0")
    for product, quantity in products_and_quantities:
        kilograms = product_weight_kg(product.features) if product is not None else None
        if kilograms is None:
            default = default_weight_kg() if default is None else default
            kilograms = default
        weight += kilograms * quantity
    return weight


def shipping_options(state, lines, rule, voucher=None):
    """The methods serving `state` (every active one while no state is known), each with its
    price for `lines` (cart.CartLine: product, quantity, unit_price) after the discount of
    `rule` or `voucher`, in the admin order."""
    methods = methods_serving(state) if state_code(state) else active_methods()
    merchandise = _prices(lines, rule, voucher=voucher).merchandise
    weight = parcel_weight_kg((line.product, line.quantity) for line in lines)
    return [
        ShippingOption(method, pricing.shipping_price(method, weight, merchandise))
        for method in methods
    ]


def cheapest(options):
    """The cheapest of `options` (the first listed among equals), or None if there are none."""
    return min(options, key=lambda option: option.price, default=None)


def check_shipping(state, method):
    """Raise ShippingUnavailable unless `method` can ship an order to `state`: it is active and
    serves the state, or it is None and the shop has no active method (orders ship free)."""
    state = state_code(state)
    if method is None:
        if active_methods():
            raise ShippingUnavailable("Choose how your order is shipped.")
    elif not method.active or not method.serves(state):
        raise ShippingUnavailable(
            f"{method.name} does not ship to {state or 'this state'}: choose another method."
        )


def chosen_delivery(state, method, products_and_quantities):
    """The pricing.Delivery of an order to `state` shipped by `method` (check_shipping first,
    which raises ShippingUnavailable)."""
    check_shipping(state, method)
    state = state_code(state)
    weight = parcel_weight_kg(products_and_quantities) if method is not None else Decimal("0")
    return pricing.Delivery(method=method, weight_kg=weight, tax_rule=tax_rule_for(state))


def checkout_totals(contents, state, method):
    """`contents` (cart.CartContents) with totals for shipping by `method` to `state`, or
    with the merchandise only when that method cannot ship there."""
    try:
        delivery = chosen_delivery(
            state, method, ((line.product, line.quantity) for line in contents.lines)
        )
    except ShippingUnavailable:
        delivery = pricing.Delivery(tax_rule=tax_rule_for(state))
    totals = _prices(contents.lines, contents.rule, delivery, contents.voucher)
    return replace(
        contents,
        totals=totals,
        shipping_name=method.name if method is not None else "",
        tax_known=bool(state_code(state)),
    )


def cart_estimate(contents, state):
    """`contents` with an estimate of shipping and tax: with `state` known, the cheapest method
    serving it and the state's tax; unknown, "from" the cheapest method of all, and no tax."""
    state = state_code(state)
    options = shipping_options(state, contents.lines, contents.rule, contents.voucher)
    best = cheapest(options)
    delivery = pricing.Delivery(
        method=pricing.ShippingRate(flat_price=best.price) if best else None,
        tax_rule=tax_rule_for(state) if state else None,
    )
    return replace(
        contents,
        totals=_prices(contents.lines, contents.rule, delivery, contents.voucher),
        shipping_name=best.method.name if best and state else "",
        shipping_from=bool(best) and not state,
        tax_known=bool(state),
    )


def _prices(lines, rule, delivery=None, voucher=None):
    return pricing.price_lines(
        ((line.unit_price, line.quantity) for line in lines), rule, delivery, voucher
    )
