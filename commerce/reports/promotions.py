"""The promotions report: how many orders each promotion gave money off, and how much.

Promotions are the bulk discount, each voucher code and the sale prices. Counted over the
orders placed in the period that still stand (placed or later, not cancelled), so a cancelled
order drops out of the figures as it gives a voucher its use back.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from commerce import pricing
from commerce.orders.models import PLACED_OR_LATER, Order, OrderItem

BULK_DISCOUNT = "Bulk discount"
SALE_PRICES = "Sale prices"


@dataclass(frozen=True)
class PromotionFigures:
    name: str  # "Bulk discount", "Voucher SAVE10" or "Sale prices"
    orders: int
    discounted: Decimal  # the money taken off those orders


def promotion_figures(since, until):
    """The PromotionFigures of orders placed from `since` until before `until` (aware
    datetimes): the bulk discount, each voucher that was used, then the sale prices. Three
    queries."""
    placed = Order.objects.filter(
        status__in=PLACED_OR_LATER, date_ordered__gte=since, date_ordered__lt=until
    )
    bulk = placed.filter(voucher__isnull=True, discount__gt=0).aggregate(
        orders=Count("pk"), discounted=Sum("discount")
    )
    rows = [PromotionFigures(BULK_DISCOUNT, bulk["orders"], _money(bulk["discounted"]))]
    by_voucher = (
        placed.filter(voucher__isnull=False).order_by().values_list("voucher__code")
        .annotate(orders=Count("pk"), discounted=Sum("discount")).order_by("voucher__code")
    )
    rows += [
        PromotionFigures(f"Voucher {code}", orders, _money(discounted))
        for code, orders, discounted in by_voucher
    ]
    sale = OrderItem.objects.filter(
        order__in=placed, regular_unit_price__isnull=False
    ).aggregate(
        orders=Count("order", distinct=True),
        discounted=Sum(pricing.sale_saving()),
    )
    rows.append(PromotionFigures(SALE_PRICES, sale["orders"], _money(sale["discounted"])))
    return rows


def _money(amount):
    return pricing.to_money(amount or Decimal("0"))

