from django import forms

from home.shared.phone import PhoneNumberField

from .models import Contact

HONEYPOT_ERROR = (
    "Your message was not sent: the box labelled “Leave this field empty” was filled in, "
    "which usually means a program filled in the form. It is empty now; please send again."
)


class HoneypotInput(forms.TextInput):
    """Hidden from people by CSS and never re-rendered with a value, so a person whose
    browser filled it in by mistake can simply send the form again."""

    def format_value(self, value):
        return None


class ContactForm(forms.ModelForm):
    phone = PhoneNumberField(required=False, label="Phone (optional)")
    # Bots fill in every field; people never see this one.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=HoneypotInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "order_reference", "description"]
        labels = {
            "name": "Your name",
            "email": "Your email address",
            "order_reference": "Order number (optional)",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, customer=None, user=None, **kwargs):
        """Pre-fill who is writing from the signed-in customer's profile (or user account)."""
        if customer is not None:
            kwargs.setdefault("initial", {}).update(
                name=customer.name, email=customer.email, phone=customer.phone
            )
        elif user is not None and user.is_authenticated:
            kwargs.setdefault("initial", {}).update(
                name=user.get_full_name(), email=user.email
            )
        super().__init__(*args, **kwargs)
        self.instance.customer = customer

    def clean_order_reference(self):
        return self.cleaned_data["order_reference"].strip().upper()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("website"):
            raise forms.ValidationError(HONEYPOT_ERROR, code="honeypot")
        return cleaned_data
