"""Product reviews by customers who bought the product, and their moderation status."""

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from commerce.customers.models import Customer


class ReviewStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


REVIEW_MAX_LENGTH = 2000


class Review(models.Model):
    """A customer's rating and plain-text review of a product they bought.

    Written only through commerce.reviews.rules (which checks the purchase); hidden and published
    again only by staff through the same module, which records who did it and why.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        choices=[(stars, f"{stars} out of 5") for stars in range(1, 6)],
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    content = models.TextField(
        "review",
        max_length=REVIEW_MAX_LENGTH,
        validators=[MaxLengthValidator(REVIEW_MAX_LENGTH)],  # TextField alone checks only forms.
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PUBLISHED
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    hidden_reason = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField("submitted", auto_now_add=True)
    # The customer's last edit; moderation does not touch it.
    updated_at = models.DateTimeField("last edited", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_review", "Can hide and publish reviews")]
        indexes = [
            # The product page: a product's published reviews, newest first.
            models.Index(
                fields=["product", "status", "-created_at"], name="review_product_status_date"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product"], name="review_one_per_customer_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("content"), REVIEW_MAX_LENGTH),
                name="review_content_max_length",
            ),
        ]

    def __str__(self):
        return f"{self.rating}/5 for {self.product} by {self.customer.name}"

    @property
    def is_published(self):
        return self.status == ReviewStatus.PUBLISHED

    @property
    def author_name(self):
        """How the author is shown on the site: first name and last initial, "Ada L."."""
        first, *rest = self.customer.name.split() or ["A customer"]
        return f"{first} {rest[-1][0]}." if rest else first
