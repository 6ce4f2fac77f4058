"""What the marketing reports in the Wagtail admin share (Reports → Abandoned carts,
Promotions): who may see them (marketers, `commerce.view_cart_recovery_report`, and holders of
the sales report permission), the period chooser, and how each is registered: a never-cached
admin URL and a Reports menu item, both for those staff only (commerce/wagtail_hooks.py)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.auth import user_passes_test
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from home.shared.private_pages import never_cached

REPORT_PERMISSIONS = ("commerce.view_cart_recovery_report", "commerce.view_sales_report")
PERIODS = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 365 days")]
DEFAULT_DAYS = 30


def may_view_marketing_reports(user):
    return any(user.has_perm(permission) for permission in REPORT_PERMISSIONS)


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period", choices=PERIODS, coerce=int, initial=DEFAULT_DAYS, required=False
    )

    def chosen_days(self):
        if self.is_valid() and self.cleaned_data["days"]:
            return self.cleaned_data["days"]
        return DEFAULT_DAYS


def period(days):
    """(first day, last day, since, until) of the last `days` days, today included."""
    last_day = timezone.localdate()
    first_day = last_day - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    return first_day, last_day, since, since + timedelta(days=days)


class MarketingReportView(WagtailAdminTemplateMixin, TemplateView):
    """A report over the period the staff member chose (`period_form`)."""

    def period_form(self):
        return PeriodForm(self.request.GET or None)


class MarketingReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_marketing_reports(request.user)


@dataclass(frozen=True)
class MarketingReport:
    """A marketing report's view, its admin URL (`url_path`, named `url_name`) and its
    Reports menu item (`label`, `icon`, `order`)."""

    view: type
    url_path: str
    url_name: str
    label: str
    icon: str
    order: int

    def admin_urls(self):
        """`register_admin_urls` hook."""
        view = user_passes_test(may_view_marketing_reports)(
            self.view.as_view(page_title=self.label, header_icon=self.icon)
        )
        return never_cached([path(self.url_path, view, name=self.url_name)])

    def menu_item(self):
        """`register_reports_menu_item` hook."""
        return MarketingReportMenuItem(
            self.label, reverse(self.url_name), icon_name=self.icon, order=self.order
        )
