"""Checkout and the customer's address book: pick a saved address (the default first), or
type a new one and optionally save it. Works without JavaScript: a saved address chosen in
the radio list is copied into the delivery on the server, so the typed fields are optional."""

from django import forms

from commerce.customers.addresses import default_address, remember_address

NEW_ADDRESS = "new"


class SavedAddressMixin:
    """For CheckoutForm: pass `saved_addresses` (the customer's book) to offer them."""

    delivery_field_names = ()  # the typed fields a saved address replaces

    def __init__(self, *args, saved_addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_addresses = {str(address.pk): address for address in saved_addresses}
        self.fields["save_address"] = forms.BooleanField(
            label="Save this address to my address book", required=False
        )
        if not self.saved_addresses:
            return
        self.fields["saved_address"] = forms.ChoiceField(
            label="Deliver to",
            widget=forms.RadioSelect,
            required=False,  # not sent: the typed address
            choices=[
                *((pk, str(address)) for pk, address in self.saved_addresses.items()),
                (NEW_ADDRESS, "A new address (below)"),
            ],
        )
        if self.is_bound and self.data.get("saved_address") in self.saved_addresses:
            for name in self.delivery_field_names:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        if self.chosen_address is not None:
            # The saved address is delivered to: what is typed below it is neither checked
            # nor used.
            for name in self.delivery_field_names:
                self._errors.pop(name, None)
                cleaned.pop(name, None)
        return cleaned

    def entered_state(self, data):
        return entered_state(self.saved_addresses.values(), data)

    @property
    def chosen_address(self):
        """The saved address chosen, or None for a typed one."""
        return self.saved_addresses.get(self.cleaned_data.get("saved_address"))

    def saved_delivery(self):
        """The chosen saved address's delivery details, or None for a typed address."""
        chosen = self.chosen_address
        return chosen.delivery if chosen is not None else None

    def remember_new_address(self, customer):
        """After the order is placed: save a typed address if the shopper asked to."""
        if self.chosen_address is None and self.cleaned_data.get("save_address"):
            remember_address(customer, customer.name, self.delivery)


def entered_state(saved_addresses, data):
    """The state an order would go to, from checkout's submitted `data` (before validation):
    the chosen saved address's, else the typed one. Shipping options and totals follow it."""
    chosen = {str(address.pk): address for address in saved_addresses}.get(
        data.get("saved_address")
    )
    return chosen.state if chosen is not None else data.get("state", "")


def saved_address_initial(customer):
    """Checkout's initial delivery from the default saved address, or None if the book is
    empty."""
    address = default_address(customer)
    if address is None:
        return None
    return {**address.delivery, "saved_address": str(address.pk)}
