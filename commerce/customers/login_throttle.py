"""Log-in throttling: django-axes, keeping its counts in the database, with two limits.

Axes compares one count of failures with one limit (AXES_FAILURE_LIMIT, here the
per-username limit). A client address gets a higher limit of its own, since many shoppers
can share one address (an office, a mobile carrier).
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    """Locks out a username after LOGIN_FAILURES_PER_USERNAME failures, and a client address
    after LOGIN_FAILURES_PER_ADDRESS, within LOGIN_LOCKOUT_MINUTES."""

    def get_failures(self, request, credentials=None):
        # One queryset per entry of AXES_LOCKOUT_PARAMETERS: ["username", "ip_address"].
        by_username, by_address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username
