from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from home.demo_content import DEMO_STAFF, DEMO_STAFF_PASSWORD
from home.shared.public_address import shop_url

USERNAME = "admin"
PASSWORD = "admin-dev-only"


class Command(BaseCommand):
    help = "Create a superuser for local development (refused unless DEBUG is on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create the development superuser because DEBUG is off; "
                "use `manage.py createsuperuser` on a real deployment."
            )
        User = get_user_model()
        if not User.objects.filter(username=USERNAME).exists():
            User.objects.create_superuser(USERNAME, "admin@example.com", PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wagtail admin: {shop_url('/admin/')}  "
                f"username: {USERNAME}  password: {PASSWORD}"
            )
        )
        # The demo staff seed_demo made, one per role, to see the admin as each role sees it.
        existing = set(
            User.objects.filter(username__in=[row[0] for row in DEMO_STAFF]).values_list(
                "username", flat=True
            )
        )
        for username, _name, role in DEMO_STAFF:
            if username in existing:
                self.stdout.write(
                    f"  {role} (demo staff): username: {username}  "
                    f"password: {DEMO_STAFF_PASSWORD}"
                )
