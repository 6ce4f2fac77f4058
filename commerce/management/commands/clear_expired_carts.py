from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from commerce.cart.carts import clear_abandoned_carts

DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


class Command(BaseCommand):
    help = (
        "Delete expired sessions (Django's clearsessions) and the anonymous carts whose "
        "session has ended. Run it daily from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
            # Carts are matched to session rows; without them every cart would look abandoned.
            raise CommandError(
                f"Anonymous carts are only cleared when sessions live in the database; "
                f"SESSION_ENGINE is {settings.SESSION_ENGINE}."
            )
        call_command("clearsessions")
        carts = clear_abandoned_carts()
        self.stdout.write(
            f"Cleared expired sessions and {carts} anonymous "
            f"cart{'' if carts == 1 else 's'} whose session had ended."
        )
