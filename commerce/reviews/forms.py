from django import forms

from commerce.reviews.models import REVIEW_MAX_LENGTH, Review


class PlainTextField(forms.CharField):
    """Multi-line plain text whose line breaks are stored as a single newline.

    Browsers count a line break as one character against a textarea's maxlength but send two
    (CR LF); normalising before validation keeps text that fitted in the box within the limit.
    """

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class ReviewForm(forms.ModelForm):
    """A customer's rating and review text; the rules come from the Review model's fields."""

    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=Review._meta.get_field("rating").choices,
        coerce=int,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Review
        fields = ["rating", "content"]
        labels = {"content": "Your review"}
        help_texts = {"content": f"Plain text, up to {REVIEW_MAX_LENGTH} characters."}
        widgets = {"content": forms.Textarea(attrs={"rows": 6})}
        field_classes = {"content": PlainTextField}


class HideReviewForm(forms.Form):
    reason = forms.CharField(
        label="Reason for hiding",
        max_length=Review._meta.get_field("hidden_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the review and in its history, for staff only.",
    )
