"""Orders placed before 0007 get what checkout now stores: who was billed, from the customer
and the delivery details as they are today (the best record left), and the amount their card
payment took, from the order's total (the amount refunds used to give back)."""

from django.db import migrations

PLACED = ["placed", "paid", "shipped", "completed", "cancelled"]


def fill(apps, schema_editor):
    Order = apps.get_model("commerce", "Order")
    CheckoutDetail = apps.get_model("commerce", "CheckoutDetail")
    orders = (
        Order.objects.filter(status__in=PLACED, billing_name="", billing_email="")
        .select_related("customer", "checkout_detail")
        .iterator(chunk_size=500)
    )
    for order in orders:
        order.billing_name = order.customer.name
        order.billing_email = order.customer.email
        detail = getattr(order, "checkout_detail", None)
        if detail is not None:
            # As commerce.checkout.place_order.billing_address writes it.
            order.billing_address = (
                f"{detail.address}\n{detail.city}, {detail.state} {detail.zip_code}"
            )
        order.save(update_fields=["billing_name", "billing_email", "billing_address"])

    taken = CheckoutDetail.objects.filter(
        payment_method="card", payment_status__in=["authorised", "refunded"], amount_captured=0
    )
    for detail in taken.select_related("order").iterator(chunk_size=500):
        detail.amount_authorised = detail.amount_captured = detail.order.total
        if detail.payment_status == "refunded":
            detail.amount_refunded = detail.order.total
        detail.save(update_fields=["amount_authorised", "amount_captured", "amount_refunded"])


class Migration(migrations.Migration):
    dependencies = [("commerce", "0009_payment_amounts_refunds_billing_snapshot")]

    # Going back drops the columns in 0009; nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
