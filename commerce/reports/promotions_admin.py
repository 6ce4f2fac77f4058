"""The promotions report in the Wagtail admin (Reports → Promotions), with a CSV export, for
the same staff as the abandoned-cart report (marketers and holders of the sales report
permission); registered in commerce/wagtail_hooks.py."""

import csv
from datetime import datetime, time, timedelta

from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.auth import user_passes_test
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from commerce.recovery.admin import PeriodForm, may_view_recovery_report
from commerce.reports.promotions import promotion_figures
from home.shared.private_pages import never_cached
from home.shared.spreadsheets import neutralise_formula


def period(days):
    """(first day, last day, since, until) of the last `days` days, today included."""
    last_day = timezone.localdate()
    first_day = last_day - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    return first_day, last_day, since, since + timedelta(days=days)


class PromotionsReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "commerce/reports/admin/promotions.html"
    page_title = "Promotions"
    header_icon = "tag"

    def get(self, request, *args, **kwargs):
        form = PeriodForm(request.GET or None)
        first_day, last_day, since, until = period(form.chosen_days())
        rows = promotion_figures(since, until)
        if request.GET.get("export") == "csv":
            return csv_export(rows, first_day, last_day)
        return self.render_to_response(self.get_context_data(
            form=form, rows=rows, first_day=first_day, last_day=last_day,
            export_query=request.GET.urlencode(),
        ))


def csv_export(rows, first_day, last_day):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="promotions-{first_day:%Y-%m-%d}-{last_day:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Promotion", "Orders", "Discounted"])
    for row in rows:
        writer.writerow([neutralise_formula(row.name), row.orders, f"{row.discounted:.2f}"])
    return response


report_view = user_passes_test(may_view_recovery_report)(PromotionsReportView.as_view())

admin_urlpatterns = never_cached([
    path("reports/promotions/", report_view, name="promotions_report"),
])


class PromotionsReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_recovery_report(request.user)


def report_menu_item():
    return PromotionsReportMenuItem(
        "Promotions", reverse("promotions_report"), icon_name="tag", order=710
    )
