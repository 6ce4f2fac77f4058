"""The checkout form: delivery details, payment method and, for a card, the card fields."""

from django import forms

from commerce.checkout.models import CheckoutDetail
from commerce.checkout.saved_addresses import SavedAddressMixin
from commerce.payments.gateways import configured_gateways, payment_method_choices
from commerce.payments.testcard import CardDetails, clean_card_number, clean_cvc, clean_expiry
from commerce.pricing import format_money
from commerce.shipping.models import ShippingMethod
from commerce.shipping.rates import ShippingUnavailable, check_shipping
from home.shared.phone import PhoneNumberField
from home.shared.postal import ADDRESS_FIELDS, ADDRESS_WIDGETS


class CardInput(forms.TextInput):
    """A card field that never sends what was typed back to the browser."""

    def format_value(self, value):
        return None


class CheckoutForm(SavedAddressMixin, forms.ModelForm):
    phone = PhoneNumberField(label="Phone")
    # Not required: a shop without any shipping method ships free (check_shipping).
    shipping_method = forms.ModelChoiceField(
        label="Shipping",
        queryset=ShippingMethod.objects.filter(active=True),
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "That shipping method is no longer offered: choose "
                        "another."},
    )
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
    delivery_field_names = [*ADDRESS_FIELDS, "phone"]

    class Meta:
        model = CheckoutDetail
        fields = [*ADDRESS_FIELDS, "phone"]
        widgets = ADDRESS_WIDGETS

    guest_field_names = ["name", "email"]

    def __init__(self, *args, guest=False, shipping_options=(), **kwargs):
        """`guest`: the shopper is not signed in, so the form asks who they are.
        `shipping_options` (commerce.shipping.rates.ShippingOption) are the methods listed,
        with their price for this cart; any active method is accepted, if it serves the state."""
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = payment_method_choices()
        self.fields["shipping_method"].choices = [
            (option.method.pk, shipping_label(option)) for option in shipping_options
        ]
        if guest:
            del self.fields["save_address"]  # a guest has no address book
            self.fields["name"] = forms.CharField(
                label="Full name", max_length=150,
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
            )
            self.fields["email"] = forms.EmailField(
                label="Email", help_text="Your confirmation and a link to your order go here.",
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )

    def guest_fields(self):
        """The guest's name and email; none for a signed-in customer."""
        return [self[name] for name in self.guest_field_names if name in self.fields]

    @property
    def ships_free(self):
        """True when the shop has no active shipping method: orders ship free."""
        return not self.fields["shipping_method"].queryset.exists()

    def delivery_fields(self):
        return [self[name] for name in self._meta.fields]

    def card_bound_fields(self):
        """The card fields, if a gateway takes the card on this form (not Stripe's own)."""
        if not any(gateway.takes_card for gateway in configured_gateways().values()):
            return []
        return [self[name] for name in self.card_fields]

    def clean(self):
        cleaned = super().clean()
        state = (self.saved_delivery() or cleaned).get("state")
        if state is not None and not self.has_error("shipping_method"):
            try:
                check_shipping(state, cleaned.get("shipping_method"))
            except ShippingUnavailable as error:
                self.add_error("shipping_method", str(error))
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
        """The delivery details (a chosen saved address, or what was typed) and the chosen
        shipping method, as place_order takes them."""
        delivery = self.saved_delivery()
        if delivery is None:
            delivery = {name: self.cleaned_data[name] for name in self._meta.fields}
        delivery["shipping_method"] = self.cleaned_data.get("shipping_method")
        return delivery


def shipping_label(option):
    """How a shipping option reads at checkout: "Standard: $9.99 (3–5 business days)"."""
    price = format_money(option.price) if option.price else "free"
    return f"{option.method.name}: {price} ({option.method.delivery_estimate})"


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
