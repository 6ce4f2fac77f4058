"""The shop's outgoing email records (the outbox), app label home."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutgoingEmailQuerySet(models.QuerySet):
    def about(self, record):
        """Emails sent about `record` (an order, an inquiry), oldest first."""
        return self.filter(
            about_type=ContentType.objects.get_for_model(record), about_id=record.pk
        ).order_by("created_at", "pk")

    def failed(self):
        return self.filter(status=EmailStatus.FAILED)


class OutgoingEmail(models.Model):
    """One email the shop sends, kept so that staff can see what failed and send it again.

    The task queue carries only this record's id. A password reset email keeps no body:
    its link is made from `reset_password_of` each time it is sent, so no link is stored.
    """

    template = models.CharField(max_length=200)
    to = models.JSONField(default=list)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    reset_password_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    # Plain values the templates need when the body is made at sending time.
    send_time_context = models.JSONField(default=dict, blank=True)
    # Extra message headers, such as List-Unsubscribe on marketing emails.
    headers = models.JSONField(default=dict, blank=True)
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["about_type", "about_id"])]

    def __str__(self):
        return f"{self.subject} to {', '.join(self.to)}"


class EmailOptOut(models.Model):
    """An address that asked for no more marketing or notification emails from the shop
    (home.shared.unsubscribe). Transactional emails (order confirmations) still go."""

    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="home_email_opt_out_once_per_email"),
        ]
        verbose_name = "email opt-out"

    def __str__(self):
        return f"Email opt-out #{self.pk}"
