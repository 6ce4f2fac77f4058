from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

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
                f"Wagtail admin: http://127.0.0.1:8000/admin/  "
                f"username: {USERNAME}  password: {PASSWORD}"
            )
        )
