"""The admin's refund action on an order: a form (amount, reason, units to put back in stock),
then commerce.orders.refund_order does the work."""

from decimal import Decimal

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse

from commerce.admin_tables import OrderLinesTable
from commerce.orders import status as order_status
from commerce.orders.models import Order
from commerce.orders.refund_order import refund_order
from commerce.payments.refunds import RefundRefused, has_refundable_payment
from commerce.pricing import format_money
from home.shared.admin_actions import ConfirmedActionView

RESTOCK_FIELD_PREFIX = "restock_"


def may_refund(user):
    return user.has_perm(order_status.CHANGE_STATUS_PERMISSION)


def payment_of(order):
    return getattr(order, "checkout_detail", None)


class RefundForm(forms.Form):
    """How much to give back and why, and how many units of each line come back in stock."""

    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        help_text="Any amount up to what is left to refund.",
    )
    reason = forms.CharField(
        max_length=255, help_text="Kept with the refund and shown in the order's history."
    )

    def __init__(self, *args, order, remaining, **kwargs):
        super().__init__(*args, **kwargs)
        self.remaining = remaining
        self.fields["amount"].max_value = remaining
        self.fields["amount"].help_text = f"Up to {format_money(remaining)}."
        self.lines = [line for line in order.items.all() if line.reserved_quantity > 0]
        for line in self.lines:
            self.fields[f"{RESTOCK_FIELD_PREFIX}{line.pk}"] = forms.IntegerField(
                label=f"{line.display_name}: units to put back in stock",
                min_value=0, max_value=line.reserved_quantity, initial=0, required=False,
                help_text=f"Up to {line.reserved_quantity}.",
            )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.remaining:
            raise forms.ValidationError(
                f"Only {format_money(self.remaining)} is left to refund on this order.",
                code="more_than_remains",
            )
        return amount

    def units_to_restock(self):
        """{OrderItem id: units} for the lines with units to put back."""
        units = {
            line.pk: self.cleaned_data.get(f"{RESTOCK_FIELD_PREFIX}{line.pk}") or 0
            for line in self.lines
        }
        return {pk: count for pk, count in units.items() if count}


class RefundOrderView(ConfirmedActionView):
    """GET shows the refund form with what remains; POST refunds through the gateway."""

    template_name = "commerce/orders/admin/refund_order.html"
    form_class = RefundForm
    header_icon = "clipboard-list"
    page_title = "Refund"
    refusals = (RefundRefused,)
    index_url_name = None
    inspect_url_name = None

    @property
    def order(self):
        return self.object

    def user_may_act(self):
        return may_refund(self.request.user)

    def get_object(self):
        orders = Order.objects.not_carts().select_related("customer", "checkout_detail")
        return get_object_or_404(orders.prefetch_related("items"), pk=self.kwargs["pk"])

    def check_allowed(self):
        if not has_refundable_payment(payment_of(self.order)):
            raise RefundRefused(f"Nothing is left to refund on {self.order}.")

    def post(self, request, *args, **kwargs):
        # Nothing left to refund is said at once, not as an error on a form that cannot help.
        self.object = self.get_object()
        try:
            self.check_allowed()
        except RefundRefused as refusal:
            return self.refused(refusal)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        payment = payment_of(self.order)
        remaining = payment.refundable_amount if payment else Decimal("0.00")
        return {**super().get_form_kwargs(), "order": self.order, "remaining": remaining}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            order=self.order,
            payment=payment_of(self.order),
            lines_table=OrderLinesTable(self.order, self.order.items.all()),
            **kwargs,
        )

    def perform(self, form):
        made = refund_order(
            self.order,
            form.cleaned_data["amount"],
            form.cleaned_data["reason"],
            user=self.request.user,
            restock=form.units_to_restock(),
        )
        message = f"{format_money(made.refund.amount)} was refunded on {self.order}."
        if made.restocked:
            units = sum(line["units"] for line in made.restocked)
            message += f" {units} unit{'' if units == 1 else 's'} went back in stock."
        return message

    def get_default_url(self):
        return reverse(self.inspect_url_name, args=[self.order.pk])

    def get_parent_breadcrumbs(self):
        return [
            {"url": reverse(self.index_url_name), "label": "Orders"},
            {"url": self.get_default_url(), "label": str(self.order)},
        ]
