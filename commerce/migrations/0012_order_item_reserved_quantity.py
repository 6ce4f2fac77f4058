"""Each order line records the units checkout took off the shelf, so cancelling puts back
exactly those. Lines of orders still holding their stock are filled from what is known now:
their quantity if the product tracks stock today (as release used to assume), else 0."""

from django.db import migrations, models
from django.db.models import F


def fill(apps, schema_editor):
    OrderItem = apps.get_model("commerce", "OrderItem")
    OrderItem.objects.filter(
        order__stock_reserved=True, product__isnull=False, product__stock__isnull=False
    ).update(reserved_quantity=F("quantity"))


def empty(apps, schema_editor):
    apps.get_model("commerce", "OrderItem").objects.update(reserved_quantity=0)


class Migration(migrations.Migration):
    dependencies = [("commerce", "0011_cap_bulk_discount_at_90_percent")]

    operations = [
        migrations.AddField(
            model_name="orderitem",
            name="reserved_quantity",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill, empty),
    ]
