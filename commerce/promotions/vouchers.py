"""Whether a voucher code may be used: by the cart when a shopper enters it, and by checkout
again inside the order's transaction, with the voucher's row locked so that concurrent checkouts
count its uses one after the other (a code limited to N uses ends with exactly N orders).

A use is an order that got the voucher's discount and is placed or awaiting payment; a
cancelled order (by staff, or an expired or abandoned payment) no longer counts, so it gives its
use back without any counter to keep right.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commerce.orders.models import PLACED_OR_LATER, OrderStatus
from commerce.promotions.models import Voucher, normalise_code
from home.shared import fixed_lookups

USING_STATUSES = [OrderStatus.AWAITING_PAYMENT, *PLACED_OR_LATER]


class VoucherRefused(Exception):
    """A code the shop will not apply. The message, for the shopper, says why."""


def current_voucher(code, now=None):
    """The voucher named `code` if it is on and within its dates at `now`; else None.

    The voucher row is held in memory like the other per-request lookups (home.shared.
    fixed_lookups; saving or deleting a voucher makes every process read it again), so pricing
    a cart reads it at most once a request; its dates are checked against `now` every time.
    """
    code = normalise_code(code)
    if not code:
        return None
    voucher = fixed_lookups.held(
        "voucher", code, lambda: Voucher.objects.filter(code=code).first()
    )
    if voucher is None or date_refusal(voucher, now or timezone.now()):
        return None
    return voucher


def held_public_vouchers():
    """Every voucher marked public and on, whatever its dates, held in memory until a voucher
    changes (home.shared.fixed_lookups)."""
    return fixed_lookups.held(
        "public vouchers", None, lambda: list(Voucher.objects.filter(public=True, active=True))
    )


def public_vouchers(now=None):
    """The vouchers marketers chose to show on the storefront (`public`) that a shopper could
    use at `now`: on, within their dates and not used up; newest first. The public vouchers
    are held in memory (home.shared.fixed_lookups; saving or deleting a voucher makes every
    process read them again), so this reads nothing, or one query counting the uses of
    those with a usage limit (uses change with every order)."""
    now = now or timezone.now()
    candidates = [
        voucher for voucher in held_public_vouchers() if not date_refusal(voucher, now)
    ]
    limited = [voucher.pk for voucher in candidates if voucher.usage_limit is not None]
    uses = (
        dict(vouchers_with_uses(Voucher.objects.filter(pk__in=limited)).values_list("pk", "uses"))
        if limited
        else {}
    )
    return [voucher for voucher in candidates if not _used_up(voucher, uses.get(voucher.pk, 0))]


def check_voucher(code, amount_before, *, customer=None, email="", lock=False, now=None):
    """The Voucher named `code` if a cart of subtotal `amount_before` bought by `customer` (or,
    for a guest, `email`) may use it now; VoucherRefused saying why not. With `lock`, the
    voucher's row stays locked until the transaction ends (checkout), so its uses are counted
    after every concurrent checkout of it has committed or rolled back."""
    code = normalise_code(code)
    vouchers = Voucher.objects.select_for_update() if lock else Voucher.objects
    voucher = vouchers.filter(code=code).first() if code else None
    if voucher is None:
        raise VoucherRefused(f"There is no voucher {code or 'with that code'}: check the code.")
    refusal = date_refusal(voucher, now or timezone.now())
    if refusal:
        raise VoucherRefused(refusal)
    if voucher.minimum_order is not None and amount_before < voucher.minimum_order:
        from commerce.pricing import format_money

        raise VoucherRefused(
            f"Voucher {voucher.code} is for orders of {format_money(voucher.minimum_order)} or "
            f"more; your cart comes to {format_money(amount_before)}."
        )
    uses = voucher_uses(voucher)
    if _used_up(voucher, uses.count()):
        raise VoucherRefused(f"Voucher {voucher.code} has been used up.")
    if voucher.per_customer_limit is not None:
        if customer is not None:
            mine = uses.filter(customer=customer)
        else:
            mine = uses.filter(customer__isnull=True, billing_email__iexact=email)
        if (customer is not None or email) and mine.count() >= voucher.per_customer_limit:
            times = "once" if voucher.per_customer_limit == 1 else (
                f"{voucher.per_customer_limit} times"
            )
            raise VoucherRefused(
                f"You have already used voucher {voucher.code}: it can be used {times} per "
                "customer."
            )
    return voucher


def date_refusal(voucher, now):
    """Why `voucher` cannot be used at `now` (off, not started, expired), for the shopper; ""
    when its dates and flag allow it."""
    if not voucher.active:
        return f"Voucher {voucher.code} is no longer valid."
    if voucher.starts_at and now < voucher.starts_at:
        return (
            f"Voucher {voucher.code} is not valid yet: it starts on "
            f"{written_date(voucher.starts_at)}."
        )
    if voucher.ends_at and now >= voucher.ends_at:
        return f"Voucher {voucher.code} has expired."
    return ""


def written_date(moment, with_time=True):
    """`moment` in the shop's time zone as shoppers read it: "March 4, 2027 at 17:00", or
    without the time "March 4, 2027"."""
    moment = timezone.localtime(moment)
    day = f"{moment:%B} {moment.day}, {moment:%Y}"
    return f"{day} at {moment:%H:%M}" if with_time else day


def _used_up(voucher, uses):
    return voucher.usage_limit is not None and uses >= voucher.usage_limit


def voucher_uses(voucher):
    """The orders that used `voucher`: placed or awaiting payment, not cancelled."""
    return voucher.orders.filter(status__in=USING_STATUSES)


def vouchers_with_uses(queryset=None):
    """`queryset` of vouchers (default: all) annotated with `uses` (orders that used each) and
    `discounted` (the money those orders were given off), for marketers' listing and export."""
    used = Q(orders__status__in=USING_STATUSES)
    return (queryset if queryset is not None else Voucher.objects.all()).annotate(
        uses=Count("orders", filter=used),
        discounted=Coalesce(
            Sum("orders__discount", filter=used), Decimal("0"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )
