"""The storefront's "Current offers" copy, written from the live promotion rules (the bulk
discount setting and the public vouchers), so what a page promises is what the cart gives.

Pages show it through the Current offers block (home/shared/offers.py), which gathers offers
from the `current_offers` Wagtail hook that commerce/wagtail_hooks.py registers with
`current_offers` below.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from commerce.pricing import current_discount_rule, format_money, format_percentage
from commerce.promotions.models import VoucherKind
from commerce.promotions.vouchers import held_public_vouchers, public_vouchers, written_date
from home.shared import page_cache

NOT_STACKED = "Not combined with a voucher code: you get whichever saves more."


@dataclass(frozen=True)
class Offer:
    """One promotion as shoppers read it: a `headline`, a sentence of terms (`detail`) and the
    voucher `code` to enter, if any."""

    headline: str
    detail: str
    code: str = ""


def current_offers(now=None):
    """The Offers running at `now` (default: now): the bulk discount when it is on, then each
    public voucher a shopper could use, newest first. One query, and one more where the
    discount rule is not held yet (pricing.current_discount_rule)."""
    now = now or timezone.now()
    rule = current_discount_rule()
    vouchers = public_vouchers(now)
    offers = []
    if rule.enabled and rule.percentage > 0:
        offers.append(bulk_discount_offer(rule, with_vouchers=bool(vouchers)))
    offers.extend(voucher_offer(voucher) for voucher in vouchers)
    return offers


def bulk_discount_offer(rule, with_vouchers=False):
    """The Offer of a DiscountRule; `with_vouchers`: say that it does not stack with them."""
    detail = "Taken off in your cart, no code needed."
    if with_vouchers:
        detail = f"{detail} {NOT_STACKED}"
    return Offer(
        headline=f"Buy {rule.threshold + 1} or more of one item: "
        f"{format_percentage(rule.percentage)} off your order",
        detail=detail,
    )


def voucher_offer(voucher):
    """The Offer of a Voucher: what it takes off, and when and how often it may be used."""
    if voucher.kind == VoucherKind.PERCENTAGE:
        amount_off = format_percentage(voucher.value)
    else:
        amount_off = format_money(voucher.value)
    terms = "Enter the code in your cart"
    if voucher.minimum_order:
        terms += f" on orders of {format_money(voucher.minimum_order)} or more"
    if voucher.ends_at:
        terms += f", {_until(voucher.ends_at)}"
    detail = f"{terms}."
    if voucher.per_customer_limit == 1:
        detail += " Once per customer."
    elif voucher.per_customer_limit:
        detail += f" Up to {voucher.per_customer_limit} times per customer."
    return Offer(headline=f"{amount_off} off your order", detail=detail, code=voucher.code)


def _until(ends_at):
    # A code that ends at midnight is last valid the day before: "until the end of March 3".
    ends = timezone.localtime(ends_at)
    if ends.time() == datetime.time(0, 0):
        return f"until the end of {written_date(ends - datetime.timedelta(days=1), False)}"
    return f"until {written_date(ends)}"


def next_offer_change(now=None):
    """The next time a public voucher starts or ends after `now` (the block's copy changes
    then, so the page cache keeps no page past it), or None. The vouchers' dates are held
    until a voucher changes (home.shared.fixed_lookups)."""
    windows = [(voucher.starts_at, voucher.ends_at) for voucher in held_public_vouchers()]
    return page_cache.first_change_after(now or timezone.now(), windows)
