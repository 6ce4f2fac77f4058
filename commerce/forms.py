from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.http import urlsafe_base64_encode

from home.emails import send_password_reset_email

from .accounts import email_in_use
from .cart import NOT_FOR_SALE
from .models import CheckoutDetail, Customer
from .payments import (
    CardDetails,
    clean_card_number,
    clean_cvc,
    clean_expiry,
    configured_gateways,
    payment_method_choices,
)
from .phone import PhoneNumberField


class ProductIdField(forms.IntegerField):
    """A product page id. Page ids are 32-bit: a number outside cannot be a product (and would
    overflow the database query)."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": "Choose a product.",
        "invalid": "Choose a product.",
        "min_value": NOT_FOR_SALE,
        "max_value": NOT_FOR_SALE,
    }

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**31 - 1, **kwargs)


class CartLineForm(forms.Form):
    """A product and a quantity: all the cart takes from the browser (any price is ignored).

    Only whether the quantity is a whole number is checked here; commerce.cart decides which
    quantities a line may have.
    """

    product = ProductIdField()
    quantity = forms.IntegerField(
        error_messages={
            "required": "Enter a quantity.",
            "invalid": "Enter the quantity as a whole number, for example 2.",
        },
    )

    def first_error(self):
        return next(iter(self.errors.values()))[0]


class RemoveLineForm(forms.Form):
    product = ProductIdField()


class CardInput(forms.TextInput):
    """A card field that never sends what was typed back to the browser."""

    def format_value(self, value):
        return None


class CheckoutForm(forms.ModelForm):
    phone = PhoneNumberField(label="Phone")
    payment_method = forms.ChoiceField(label="Payment method", widget=forms.RadioSelect)
    card_number = forms.CharField(
        label="Card number",
        required=False,
        max_length=23,
        widget=CardInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    card_expiry = forms.CharField(
        label="Expiry date (MM/YY)",
        required=False,
        max_length=7,
        widget=CardInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    card_cvc = forms.CharField(
        label="Security code (CVC)",
        required=False,
        max_length=4,
        widget=CardInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    # The total the customer was shown; checkout refuses to charge a different one, and
    # refuses a form without it (place_order), saying the total now due.
    expected_total = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=2,
        error_messages={
            "invalid": "This checkout page was damaged. Check your order and place it again.",
        },
    )
    checkout_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This checkout page had expired. Check your details and place the "
            "order again.",
            "invalid": "This checkout page had expired. Check your details and place the "
            "order again.",
        },
    )

    card_fields = ["card_number", "card_expiry", "card_cvc"]

    class Meta:
        model = CheckoutDetail
        fields = ["address", "city", "state", "zip_code", "phone"]
        widgets = {
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "state": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "zip_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = payment_method_choices()

    def delivery_fields(self):
        return [self[name] for name in self._meta.fields]

    def card_bound_fields(self):
        return [self[name] for name in self.card_fields]

    def clean(self):
        cleaned = super().clean()
        gateway = configured_gateways().get(cleaned.get("payment_method"))
        if gateway is not None and gateway.takes_card:
            cleaned["card"] = self._clean_card(cleaned)
        return cleaned

    def _clean_card(self, cleaned):
        return clean_card_fields(self, cleaned)

    def prepare_retry(self, total, new_token):
        """Before showing the form again: the total now due, and a fresh token if it had none.

        The customer's own entries are kept (except card details, which are never echoed).
        """
        self.data = self.data.copy()
        self.data["expected_total"] = str(total)
        if self.has_error("checkout_token"):
            self.data["checkout_token"] = str(new_token)

    @property
    def delivery(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class CardPaymentForm(forms.Form):
    """The card an order awaiting payment is paid with (the pay page), checked as checkout
    checks it; cleaned_data["card"] is the CardDetails."""

    card_number = CheckoutForm.base_fields["card_number"]
    card_expiry = CheckoutForm.base_fields["card_expiry"]
    card_cvc = CheckoutForm.base_fields["card_cvc"]

    def clean(self):
        cleaned = super().clean()
        cleaned["card"] = clean_card_fields(self, cleaned)
        return cleaned


def clean_card_fields(form, cleaned):
    """The CardDetails typed into `form`'s card fields, or None after adding their errors."""
    values = {}
    for name, clean in [("card_number", clean_card_number), ("card_expiry", clean_expiry)]:
        if not cleaned.get(name):
            form.add_error(name, "Enter this to pay by card.")
            continue
        try:
            values[name] = clean(cleaned[name])
        except forms.ValidationError as error:
            form.add_error(name, error)
    try:
        values["card_cvc"] = clean_cvc(cleaned.get("card_cvc"), values.get("card_number", ""))
    except forms.ValidationError as error:
        form.add_error("card_cvc", error)
    if len(values) < 3:
        return None
    month, year = values["card_expiry"]
    return CardDetails(values["card_number"], month, year, values["card_cvc"])


def _split_name(name):
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


EMAIL_TAKEN = "An account with this email address already exists. Log in, or reset your password."


class SignUpForm(UserCreationForm):
    """A new shopper: their user account and Customer profile, made together."""

    name = forms.CharField(label="Full name", max_length=150)
    phone = PhoneNumberField(label="Phone")

    field_order = ["username", "name", "email", "phone", "password1", "password2"]

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_in_use(email):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email

    def save(self, commit=True):
        """The new user, with its Customer; None, with the form's errors set, if another
        sign-up took the email address or username after the form was checked."""
        try:
            with transaction.atomic():
                user = super().save(commit=False)
                user.first_name, user.last_name = _split_name(self.cleaned_data["name"])
                user.save()
                Customer.objects.create(
                    user=user,
                    name=self.cleaned_data["name"],
                    email=user.email,
                    phone=self.cleaned_data["phone"],
                )
        except IntegrityError:
            if Customer.objects.filter(email__iexact=self.cleaned_data["email"]).exists():
                self.add_error("email", EMAIL_TAKEN)
            else:
                self.add_error("username", self.instance.unique_error_message(
                    get_user_model(), ["username"]
                ))
            return None
        return user


class ProfileForm(forms.ModelForm):
    phone = PhoneNumberField(label="Phone")

    class Meta:
        model = Customer
        fields = ["name", "email", "phone"]
        labels = {"name": "Full name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_email = self.instance.email

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_in_use(email, user=self.instance.user):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email

    @property
    def new_email(self):
        """The address the customer asked to change to, or None. It becomes theirs only once
        they open the link emailed to it (commerce.accounts.confirm_email)."""
        email = self.cleaned_data["email"]
        return email if email != self.current_email else None

    @transaction.atomic
    def save(self, commit=True):
        customer = super().save(commit=False)
        customer.email = self.current_email
        customer.save(update_fields=["name", "phone"])
        user = customer.user
        user.first_name, user.last_name = _split_name(customer.name)
        user.save(update_fields=["first_name", "last_name"])
        return customer


class ShopPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the email (text and HTML) sent like every shop email:
    through the task queue, so with a worker the page does not wait on the mail server.
    The queue holds only the user: the link is made when the email is sent.

    An unknown address gets the same page, after about the same work: the reset token and
    the email are made for a stand-in account, and not sent.
    """

    def get_users(self, email):
        if not hasattr(self, "_users"):
            self._users = list(super().get_users(email))
        return self._users

    def save(self, domain_override=None, subject_template_name=None,
             email_template_name=None, use_https=False, token_generator=default_token_generator,
             from_email=None, request=None, html_email_template_name=None,
             extra_email_context=None):
        email = self.cleaned_data["email"]
        if self.get_users(email):
            return super().save(
                domain_override=domain_override, use_https=use_https,
                token_generator=token_generator, from_email=from_email, request=request,
                extra_email_context=extra_email_context,
            )
        stand_in = get_user_model()(username=email, email=email, password=make_password(None))
        context = {
            "email": email, "user": stand_in, "uid": urlsafe_base64_encode(b"0"),
            "token": token_generator.make_token(stand_in), "domain": "", "site_name": "",
            "protocol": "https" if use_https else "http",
            "shop_name": settings.WAGTAIL_SITE_NAME,
        }
        for template in ("_subject.txt", ".txt", ".html"):
            render_to_string(f"registration/emails/password_reset{template}", context)
        return None

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        send_password_reset_email(
            context["user"], to_email, domain=context["domain"], protocol=context["protocol"]
        )
