"""Account forms: sign-up, the profile and the password-reset email."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.http import urlsafe_base64_encode

from commerce.checkout.forms import _split_name
from commerce.customers.accounts import email_in_use
from commerce.customers.addresses import Address
from commerce.customers.models import Customer
from home.shared.emails import render_password_reset_bodies, send_password_reset_email
from home.shared.phone import PhoneNumberField
from home.shared.postal import ADDRESS_FIELDS, ADDRESS_WIDGETS

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
        they open the link emailed to it (commerce.customers.accounts.confirm_email)."""
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
        render_to_string("registration/emails/password_reset_subject.txt", context)
        render_password_reset_bodies(context)
        return None

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        send_password_reset_email(
            context["user"], to_email, domain=context["domain"], protocol=context["protocol"]
        )


class AddressForm(forms.ModelForm):
    """One address of the customer's address book (a new one, or one being changed)."""

    phone = PhoneNumberField(label="Phone")

    class Meta:
        model = Address
        fields = ["recipient_name", *ADDRESS_FIELDS, "phone"]
        widgets = {
            "recipient_name": forms.TextInput(attrs={"autocomplete": "name"}),
            **ADDRESS_WIDGETS,
        }
