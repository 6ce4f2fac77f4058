"""The bulk discount may be at most 90 percent. A setting saved above that before the cap is
lowered to 90, and the migration says so (pricing would otherwise keep applying it)."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

CAP = Decimal("90")


def lower_discounts_above_the_cap(apps, schema_editor):
    BulkDiscountSettings = apps.get_model("commerce", "BulkDiscountSettings")
    for setting in BulkDiscountSettings.objects.filter(percentage__gt=CAP):
        print(
            f"\n  Bulk discount for site {setting.site_id} lowered from {setting.percentage}% "
            f"to {CAP}%."
        )
        setting.percentage = CAP
        setting.save(update_fields=["percentage"])


class Migration(migrations.Migration):
    dependencies = [("commerce", "0010_fill_payment_amounts_and_billing_snapshot")]

    operations = [
        migrations.AlterField(
            model_name="bulkdiscountsettings",
            name="percentage",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("20.00"),
                help_text="Taken off the whole order total, for example 20 (at most 90).",
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0.01"), message="Enter a percentage above 0."
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("90"), message="The discount cannot be more than 90 percent."
                    ),
                ],
                verbose_name="percentage off",
            ),
        ),
        # Nothing to undo: the old value is not kept.
        migrations.RunPython(lower_discounts_above_the_cap, migrations.RunPython.noop),
    ]
