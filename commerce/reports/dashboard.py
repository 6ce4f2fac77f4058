"""Shop panels on the Wagtail admin home page, each shown only to staff allowed to see it.

- Sales (revenue, orders, average order value, daily revenue chart): users with the
  `commerce.view_sales_report` permission, and superusers.
- Recent orders: users who may view or change orders.
- Reviews awaiting attention: users who may view or change reviews.
- Promotions (the last 30 days' orders and money off per promotion): marketers and holders of
  the sales report permission, as for the promotions report.

Inquiries waiting for support have their own panel, from the support app.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.ui.components import Component

from commerce import admin_tables
from commerce.orders.models import Order, OrderStatus
from commerce.reports import sales as reports
from commerce.reports.marketing_admin import may_view_marketing_reports, period
from commerce.reports.promotions import promotion_figures
from commerce.reviews.models import Review, ReviewStatus
from home.shared.admin_access import may_view_records

SALES_REPORT_PERMISSION = "commerce.view_sales_report"
REVIEW_ATTENTION_DAYS = 7
REVIEW_LOW_RATING = 2


def add_dashboard_panels(request, panels):
    """`construct_homepage_panels` hook: add the panels this user may see."""
    user = request.user
    if user.has_perm(SALES_REPORT_PERMISSION):
        panels.append(SalesPanel())
    if may_view_records(user, Order):
        panels.append(RecentOrdersPanel(Order))
    if may_view_records(user, Review):
        panels.append(ReviewsAwaitingAttentionPanel(Review))
    if may_view_marketing_reports(user):
        panels.append(PromotionsPanel())


class PromotionsPanel(Component):
    name = "shop_promotions"
    template_name = "commerce/reports/dashboard/promotions_panel.html"
    order = 70
    days = 30

    def get_context_data(self, parent_context):
        _first, _last, since, until = period(self.days)
        return {
            "rows": promotion_figures(since, until),
            "days": self.days,
            "report_url": reverse("promotions_report"),
        }


class SalesPanel(Component):
    name = "shop_sales"
    template_name = "commerce/reports/dashboard/sales_panel.html"
    order = 50

    class Media:
        css = {"all": ["css/shop-dashboard.css"]}

    def get_context_data(self, parent_context):
        now = timezone.now()
        series = reports.daily_revenue(now)
        return {
            "figures": reports.sales_figures(now),
            "series": series,
            "chart": RevenueChart.from_series(series),
            "table": admin_tables.daily_sales_table(series),
        }


class AdminListPanel(Component):
    """A panel listing a few records of one model, each linked to where staff open it.

    Its template gets `rows` ((record, admin URL or None) pairs), `table` (the rows as a
    Wagtail table, from `get_table`), `count` (of all the records the panel is about, queried
    only if the template shows it) and `list_url`.
    """

    shown = 8

    def __init__(self, model):
        self.model = model

    def get_queryset(self):
        raise NotImplementedError

    def order_shown(self, queryset):
        return queryset

    def get_table(self, rows):
        raise NotImplementedError

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        records = self.get_queryset()
        rows = [
            (record, admin_url(user, record)) for record in self.order_shown(records)[: self.shown]
        ]
        return {
            "rows": rows,
            "table": self.get_table(rows),
            "count": records.count,
            "list_url": admin_list_url(self.model),
        }


class RecentOrdersPanel(AdminListPanel):
    name = "shop_recent_orders"
    template_name = "commerce/reports/dashboard/recent_orders_panel.html"
    order = 60

    def get_queryset(self):
        # An order still awaiting payment is no sale yet: it appears here once paid.
        return (
            self.model.objects.not_carts()
            .exclude(status=OrderStatus.AWAITING_PAYMENT)
            .filter(date_ordered__isnull=False)
        )

    def order_shown(self, queryset):
        return queryset.select_related("customer").order_by("-date_ordered")

    def get_table(self, rows):
        return admin_tables.recent_orders_table(rows)


class ReviewsAwaitingAttentionPanel(AdminListPanel):
    """Reviews publish at once; staff skim the last week's and act on low ratings first."""

    name = "shop_reviews"
    template_name = "commerce/reports/dashboard/reviews_panel.html"
    order = 80

    def get_queryset(self):
        since = timezone.now() - timedelta(days=REVIEW_ATTENTION_DAYS)
        return self.model.objects.filter(status=ReviewStatus.PUBLISHED, created_at__gte=since)

    def order_shown(self, queryset):
        return queryset.select_related("product", "customer").order_by("rating", "-created_at")

    def get_table(self, rows):
        return admin_tables.reviews_table(rows, low_rating=REVIEW_LOW_RATING)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(days=REVIEW_ATTENTION_DAYS)
        return context


@dataclass(frozen=True)
class ChartBar:
    day: object
    revenue: Decimal
    x: Decimal
    y: Decimal
    height: Decimal
    middle: Decimal
    label: str


@dataclass(frozen=True)
class RevenueChart:
    """Geometry of the server-rendered SVG bar chart of daily revenue (one bar per day)."""

    WIDTH = 640
    HEIGHT = 240
    PLOT_TOP = 20
    PLOT_BOTTOM = 210
    PLOT_LEFT = 64
    PLOT_RIGHT = 612

    bars: list
    bar_width: Decimal
    scale_max: Decimal
    peak: object

    @classmethod
    def from_series(cls, series):
        scale_max = nice_ceiling(max(point.revenue for point in series))
        slot = Decimal(cls.PLOT_RIGHT - cls.PLOT_LEFT) / len(series)
        plot_height = Decimal(cls.PLOT_BOTTOM - cls.PLOT_TOP)
        bars = []
        for position, point in enumerate(series):
            height = _svg_number(plot_height * point.revenue / scale_max)
            left = cls.PLOT_LEFT + slot * position
            bars.append(
                ChartBar(
                    day=point.day,
                    revenue=point.revenue,
                    x=_svg_number(left + slot / 10),
                    y=_svg_number(cls.PLOT_BOTTOM - height),
                    height=height,
                    middle=_svg_number(left + slot / 2),
                    # Label every seventh day, counted back from today, so today is labelled.
                    label=f"{point.day:%b} {point.day.day}"
                    if (len(series) - 1 - position) % 7 == 0
                    else "",
                )
            )
        peak = max(series, key=lambda point: point.revenue)
        return cls(
            bars=bars,
            bar_width=_svg_number(slot * 8 / 10),
            scale_max=scale_max,
            peak=peak if peak.revenue else None,
        )

    @property
    def scale_middle(self):
        return self.scale_max / 2

    @property
    def middle_y(self):
        return (self.PLOT_TOP + self.PLOT_BOTTOM) // 2

    @property
    def label_x(self):
        return self.PLOT_LEFT - 8

    @property
    def label_y(self):
        return self.PLOT_BOTTOM + 20


def nice_ceiling(amount):
    """The smallest of 1, 2, 5 × 10ⁿ not below amount (100 for an empty chart)."""
    if amount <= 0:
        return Decimal(100)
    step = Decimal(1)
    while step * 10 <= amount:
        step *= 10
    for multiple in (1, 2, 5):
        if step * multiple >= amount:
            return step * multiple
    return step * 10


def admin_url(user, obj):
    """Where staff open obj: its inspect view when the snippet has one, else its edit view."""
    viewset = getattr(type(obj), "snippet_viewset", None)
    if viewset is not None and viewset.inspect_view_enabled and may_view_records(user, type(obj)):
        return reverse(viewset.get_url_name("inspect"), args=[quote(obj.pk)])
    return AdminURLFinder(user).get_edit_url(obj)


def admin_list_url(model):
    viewset = getattr(model, "snippet_viewset", None)
    return reverse(viewset.get_url_name("list")) if viewset is not None else None


def _svg_number(value):
    return Decimal(value).quantize(Decimal("0.1"))
