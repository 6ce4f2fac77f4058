"""Sales figures for the staff dashboard.

A sale is an order that was placed and not cancelled (status placed, paid, shipped or
completed), counted on the day it was ordered in the shop's time zone (settings.TIME_ZONE).
Revenue is the stored order total, after the discount. Every figure is one aggregate query.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from commerce.orders.models import Order
from commerce.pricing import ZERO, to_money

REPORT_DAYS = 30


@dataclass(frozen=True)
class SalesFigures:
    revenue_today: Decimal
    orders_today: int
    revenue_last_30_days: Decimal
    orders_last_30_days: int

    @property
    def average_order_value(self):
        """Mean order total over the last 30 days; zero when there were no orders."""
        if not self.orders_last_30_days:
            return ZERO
        return to_money(self.revenue_last_30_days / self.orders_last_30_days)


@dataclass(frozen=True)
class DailyRevenue:
    day: date
    revenue: Decimal
    orders: int


def sales_orders():
    """Orders that count as sales: placed or later, never carts or cancelled orders."""
    return Order.objects.placed().filter(date_ordered__isnull=False)


def report_days(today=None, days=REPORT_DAYS):
    """The `days` calendar days ending with today (local date), oldest first."""
    today = today or timezone.localdate()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def sales_figures(now=None):
    """Revenue and order count for today and for the last 30 days (today included)."""
    now = now or timezone.now()
    days = report_days(timezone.localdate(now))
    today_starts = _start_of(days[-1])
    totals = sales_orders().filter(
        date_ordered__gte=_start_of(days[0]), date_ordered__lte=now
    ).aggregate(
        revenue_today=_revenue(filter=Q(date_ordered__gte=today_starts)),
        orders_today=Count("pk", filter=Q(date_ordered__gte=today_starts)),
        revenue_last_30_days=_revenue(),
        orders_last_30_days=Count("pk"),
    )
    return SalesFigures(
        revenue_today=to_money(totals["revenue_today"]),
        orders_today=totals["orders_today"],
        revenue_last_30_days=to_money(totals["revenue_last_30_days"]),
        orders_last_30_days=totals["orders_last_30_days"],
    )


def daily_revenue(now=None, days=REPORT_DAYS):
    """Revenue and order count per local day for the last `days` days, oldest first.

    Days without sales are included with zero, so the series always has `days` entries.
    """
    now = now or timezone.now()
    calendar = report_days(timezone.localdate(now), days)
    rows = (
        sales_orders()
        .filter(date_ordered__gte=_start_of(calendar[0]), date_ordered__lte=now)
        .annotate(day=TruncDate("date_ordered", tzinfo=timezone.get_current_timezone()))
        .order_by()  # the model's default ordering would split the groups
        .values("day")
        .annotate(revenue=_revenue(), orders=Count("pk"))
    )
    by_day = {row["day"]: row for row in rows}
    return [
        DailyRevenue(
            day=day,
            revenue=to_money(by_day[day]["revenue"]) if day in by_day else ZERO,
            orders=by_day[day]["orders"] if day in by_day else 0,
        )
        for day in calendar
    ]


def _revenue(**kwargs):
    return Coalesce(
        Sum("total", **kwargs),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))
