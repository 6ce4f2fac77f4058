from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from home.shared.models import EmailStatus, OutgoingEmail


class Command(BaseCommand):
    help = (
        "Delete finished background tasks and sent shop emails older than --older-than-days "
        "(default: the TASKS_KEEP_DAYS setting). Failed emails are kept for staff to resend."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, default=None)

    def handle(self, *args, older_than_days, **options):
        days = settings.TASKS_KEEP_DAYS if older_than_days is None else older_than_days
        if days < 0:
            raise CommandError(f"--older-than-days must be 0 or more, not {days}.")
        cutoff = timezone.now() - timedelta(days=days)
        tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
        self.stdout.write(f"Deleted {tasks} finished task(s) older than {days} day(s).")
        deleted, _ = OutgoingEmail.objects.filter(
            status=EmailStatus.SENT, sent_at__lte=cutoff
        ).delete()
        self.stdout.write(f"Deleted {deleted} sent email record(s) older than {days} day(s).")
