"""The migration that makes customer emails unique stops on addresses already shared."""

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("commerce", "0006_sales_report_permission")]
AFTER = [("commerce", "0007_customer_unique_email_and_confirmation")]


def test_shared_addresses_stop_the_migration_with_their_list_and_nothing_deleted():
    apps = migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Customer = apps.get_model("commerce", "Customer")
    for username, email in [("ada", "ada@example.com"), ("ada2", "ADA@example.com"),
                            ("grace", "grace@example.com")]:
        Customer.objects.create(user=User.objects.create(username=username), name=username,
                                email=email)
    try:
        with pytest.raises(RuntimeError) as stopped:
            migrate(AFTER)
        message = str(stopped.value)
        assert "ada@example.com: customers" in message
        assert "grace@example.com" not in message
        assert Customer.objects.count() == 3

        Customer.objects.filter(email="ADA@example.com").update(email="ada.two@example.com")
        migrate(AFTER)
    finally:
        migrate_to_latest()
