from django.core.management.base import BaseCommand, CommandError

from home.shared.emails import EmailNotResendable, check_resendable, resend_email
from home.shared.models import EmailStatus, OutgoingEmail


class Command(BaseCommand):
    help = (
        "List the shop emails that failed, or send them again: give their numbers, or --all. "
        "Each one resent gets a fresh set of attempts."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Numbers of the emails to resend.")
        parser.add_argument("--all", action="store_true", help="Resend every failed email.")

    def handle(self, *args, ids, all, **options):
        if all and ids:
            raise CommandError("Give either email numbers or --all, not both.")
        if not all and not ids:
            return self._list_failed()
        if all:
            emails = list(OutgoingEmail.objects.failed().order_by("pk"))
        else:
            emails = list(OutgoingEmail.objects.filter(pk__in=ids).order_by("pk"))
            missing = sorted(set(ids) - {email.pk for email in emails})
            if missing:
                raise CommandError(
                    f"No email numbered {', '.join(map(str, missing))}: nothing was resent."
                )
            for email in emails:
                try:
                    check_resendable(email)
                except EmailNotResendable as refusal:
                    raise CommandError(f"{refusal} Nothing was resent.") from None
        still_failing = 0
        for email in emails:
            email = resend_email(email)
            self.stdout.write(f"#{email.pk} {email}: {email.get_status_display().lower()}")
            still_failing += email.status == EmailStatus.FAILED
        if still_failing:
            raise CommandError(f"{still_failing} of {len(emails)} email(s) failed again.")
        self.stdout.write(self.style.SUCCESS(f"{len(emails)} email(s) resent."))

    def _list_failed(self):
        failed = OutgoingEmail.objects.failed().order_by("pk")
        for email in failed:
            self.stdout.write(
                f"#{email.pk} {email.created_at:%Y-%m-%d %H:%M} {email} "
                f"({email.attempts} attempt(s)): {email.last_error}"
            )
        self.stdout.write(f"{len(failed)} failed email(s).")
