"""The abandoned-cart recovery report's figures.

Over a period of local days: carts abandoned (claimed by the reminder job), carts reminded
(emailed: not those whose address unsubscribed), carts recovered (a reminded address placed
an order within RECOVERY_DAYS of its reminder; the first such order counts) and the revenue of
those orders, each order counted once. A sale is as the sales report counts one
(commerce.reports.sales.sales_orders).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, ExpressionWrapper, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from commerce.pricing import to_money
from commerce.recovery.models import CartReminder, ReminderOutcome
from commerce.reports.sales import sales_orders

RECOVERY_DAYS = 7


@dataclass(frozen=True)
class RecoveryFigures:
    first_day: date
    last_day: date
    abandoned: int
    reminded: int
    recovered: int
    revenue: Decimal


def recovery_figures(first_day, last_day):
    """The figures of the carts claimed from `first_day` to `last_day`, both included."""
    reminders = CartReminder.objects.filter(
        created_at__gte=_start_of(first_day), created_at__lt=_start_of(last_day + timedelta(1))
    )
    counts = reminders.aggregate(
        abandoned=Count("pk"),
        reminded=Count("pk", filter=Q(outcome=ReminderOutcome.REMINDED)),
    )
    window_ends = ExpressionWrapper(
        OuterRef("created_at") + timedelta(days=RECOVERY_DAYS), output_field=DateTimeField()
    )
    first_order = (
        sales_orders()
        .filter(
            billing_email__iexact=OuterRef("email"),
            date_ordered__gte=OuterRef("created_at"),
            date_ordered__lte=window_ends,
        )
        .order_by("date_ordered", "pk")
        .values("pk")[:1]
    )
    recovered_orders = list(
        reminders.filter(outcome=ReminderOutcome.REMINDED)
        .annotate(recovered_order=Subquery(first_order))
        .exclude(recovered_order=None)
        .values_list("recovered_order", flat=True)
    )
    revenue = sales_orders().filter(pk__in=set(recovered_orders)).aggregate(
        revenue=Sum("total")
    )["revenue"]
    return RecoveryFigures(
        first_day=first_day,
        last_day=last_day,
        abandoned=counts["abandoned"],
        reminded=counts["reminded"],
        recovered=len(recovered_orders),
        revenue=to_money(revenue or 0),
    )


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))
