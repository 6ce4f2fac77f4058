"""The abandoned-cart recovery report in the Wagtail admin (Reports → Abandoned carts), for
the staff who see the marketing reports (commerce.reports.marketing_admin); registered in
commerce/wagtail_hooks.py."""

from django.conf import settings

from commerce.recovery.report import RECOVERY_DAYS, recovery_figures
from commerce.reports.marketing_admin import MarketingReport, MarketingReportView, period


class RecoveryReportView(MarketingReportView):
    template_name = "commerce/recovery/admin/report.html"

    def get_context_data(self, **kwargs):
        form = self.period_form()
        first_day, last_day, _since, _until = period(form.chosen_days())
        return super().get_context_data(
            form=form, figures=recovery_figures(first_day, last_day),
            recovery_days=RECOVERY_DAYS, delay_hours=settings.SHOP_ABANDONED_CART_DELAY_HOURS,
            **kwargs,
        )


REPORT = MarketingReport(
    RecoveryReportView, "reports/abandoned-carts/", "cart_recovery_report",
    label="Abandoned carts", icon="mail", order=700,
)
