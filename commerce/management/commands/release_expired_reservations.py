from django.core.management.base import BaseCommand

from commerce.checkout.reservations import release_expired_reservations


class Command(BaseCommand):
    help = (
        "Cancel the orders whose payment did not arrive in SHOP_PAYMENT_RESERVATION_MINUTES "
        "and put their stock back on sale. Run it every minute or few from cron or a systemd "
        "timer; running it again, or at the same time, releases nothing twice."
    )

    def handle(self, *args, **options):
        released = release_expired_reservations()
        self.stdout.write(
            f"Released {released} expired reservation{'' if released == 1 else 's'}."
        )
