from django.core.management.base import BaseCommand

from products.low_stock import send_low_stock_digest


class Command(BaseCommand):
    help = (
        "Email the staff who read stock (fulfilment, marketers) the products at or below "
        "their low-stock threshold. Sends nothing when nothing is low. Run it once a day from "
        "cron or a systemd timer."
    )

    def handle(self, *args, **options):
        emails = send_low_stock_digest()
        if not emails:
            self.stdout.write("Nothing is low on stock (or nobody reads stock): no digest sent.")
            return
        self.stdout.write(
            f"Sent the low-stock digest to {len(emails)} staff member"
            f"{'' if len(emails) == 1 else 's'}."
        )
