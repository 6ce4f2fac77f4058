"""The promotions report in the Wagtail admin (Reports → Promotions), with a CSV export, for
the staff who see the marketing reports (commerce.reports.marketing_admin); registered in
commerce/wagtail_hooks.py."""

import csv

from django.http import HttpResponse

from commerce.reports.marketing_admin import MarketingReport, MarketingReportView, period
from commerce.reports.promotions import promotion_figures
from home.shared.spreadsheets import neutralise_formula


class PromotionsReportView(MarketingReportView):
    template_name = "commerce/reports/admin/promotions.html"

    def get(self, request, *args, **kwargs):
        form = self.period_form()
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


REPORT = MarketingReport(
    PromotionsReportView, "reports/promotions/", "promotions_report",
    label="Promotions", icon="tag", order=710,
)
