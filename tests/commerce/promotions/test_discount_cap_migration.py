"""The migration that caps the bulk discount lowers a setting saved above 90 percent."""

from decimal import Decimal

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("commerce", "0010_fill_payment_amounts_and_billing_snapshot")]
AFTER = [("commerce", "0011_cap_bulk_discount_at_90_percent")]


def test_a_discount_saved_above_90_percent_is_lowered_to_90(home_page, capsys):
    apps = migrate(BEFORE)
    Site = apps.get_model("wagtailcore", "Site")
    BulkDiscountSettings = apps.get_model("commerce", "BulkDiscountSettings")
    site = Site.objects.get(is_default_site=True)
    BulkDiscountSettings.objects.create(site=site, percentage=Decimal("95"))
    try:
        migrate(AFTER)
        assert BulkDiscountSettings.objects.get().percentage == Decimal("90.00")
        assert "lowered from 95.00% to 90%" in capsys.readouterr().out
    finally:
        migrate_to_latest()
