from django.core.management.base import BaseCommand

from commerce.recovery.reminders import send_cart_reminders


class Command(BaseCommand):
    help = (
        "Email one reminder for each cart abandoned for SHOP_ABANDONED_CART_DELAY_HOURS. Run "
        "it every 15 minutes or hour from cron or a systemd timer; running it again, or at the "
        "same time, reminds nobody twice."
    )

    def handle(self, *args, **options):
        sent = send_cart_reminders()
        self.stdout.write(f"Sent {sent} cart reminder{'' if sent == 1 else 's'}.")
