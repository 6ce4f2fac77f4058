"""The abandoned-cart recovery report in the Wagtail admin (Reports → Abandoned carts).

For marketers (`commerce.view_cart_recovery_report`) and the holders of the sales report
permission; registered in commerce/wagtail_hooks.py.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.auth import user_passes_test
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from commerce.recovery.report import RECOVERY_DAYS, recovery_figures
from home.shared.private_pages import never_cached

REPORT_PERMISSIONS = ("commerce.view_cart_recovery_report", "commerce.view_sales_report")
PERIODS = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"), (365, "Last 365 days")]
DEFAULT_DAYS = 30


def may_view_recovery_report(user):
    return any(user.has_perm(permission) for permission in REPORT_PERMISSIONS)


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period", choices=PERIODS, coerce=int, initial=DEFAULT_DAYS, required=False
    )

    def chosen_days(self):
        if self.is_valid() and self.cleaned_data["days"]:
            return self.cleaned_data["days"]
        return DEFAULT_DAYS


class RecoveryReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "commerce/recovery/admin/report.html"
    page_title = "Abandoned carts"
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        form = PeriodForm(self.request.GET or None)
        last_day = timezone.localdate()
        first_day = last_day - timedelta(days=form.chosen_days() - 1)
        return super().get_context_data(
            form=form, figures=recovery_figures(first_day, last_day),
            recovery_days=RECOVERY_DAYS, delay_hours=settings.SHOP_ABANDONED_CART_DELAY_HOURS,
            **kwargs,
        )


report_view = user_passes_test(may_view_recovery_report)(RecoveryReportView.as_view())

admin_urlpatterns = never_cached([
    path("reports/abandoned-carts/", report_view, name="cart_recovery_report"),
])


class RecoveryReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_recovery_report(request.user)


def report_menu_item():
    return RecoveryReportMenuItem(
        "Abandoned carts", reverse("cart_recovery_report"), icon_name="mail", order=700
    )
