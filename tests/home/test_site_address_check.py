"""`check --deploy --database default` warns when the Wagtail Site is not the public address."""

import pytest
from django.core import checks
from wagtail.models import Site

pytestmark = pytest.mark.django_db


def site_warnings():
    messages = checks.run_checks(
        include_deployment_checks=True, tags=["shop"], databases=["default"]
    )
    return [message.id for message in messages]


@pytest.mark.parametrize("hostname", ["localhost", "127.0.0.1", "staging.example.com"])
def test_a_site_on_another_host_than_the_public_address_is_warned_about(settings, hostname):
    settings.SHOP_BASE_URL = "https://shop.example.com"
    Site.objects.filter(is_default_site=True).update(hostname=hostname)

    assert site_warnings() == ["home.W001"]


def test_a_site_on_the_public_address_passes(settings):
    settings.SHOP_BASE_URL = "https://shop.example.com"
    Site.objects.filter(is_default_site=True).update(hostname="shop.example.com", port=443)

    assert site_warnings() == []


def test_without_a_database_to_read_the_check_says_nothing(settings):
    settings.SHOP_BASE_URL = "https://shop.example.com"
    Site.objects.filter(is_default_site=True).update(hostname="localhost")

    messages = checks.run_checks(include_deployment_checks=True, tags=["shop"])

    assert messages == []
