import uuid

import pytest
from wagtail.models import Site

from support.models import SupportSettings
from tests.factories import make_contact_page, make_staff_user

SUPPORT_PERMISSIONS = [
    "support.view_contact", "support.change_contact", "support.delete_contact",
]


@pytest.fixture(autouse=True)
def private_cache(settings):
    """A cache of the test's own, so throttle counts never leak between tests (or into a
    shared Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"support-tests-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def contact_page(home_page):
    return make_contact_page(
        home_page,
        intro="<p>Write to our support desk.</p>",
        thank_you_text="<p>Thanks! A person will answer within a day.</p>",
    )


@pytest.fixture
def support_address(home_page):
    site = Site.objects.get(is_default_site=True)
    SupportSettings.objects.update_or_create(
        site=site, defaults={"support_email": "help@shop.example"}
    )
    return "help@shop.example"


@pytest.fixture
def support_agent(db):
    user = make_staff_user("sam", SUPPORT_PERMISSIONS)
    user.first_name, user.last_name = "Sam", "Support"
    user.save()
    return user


@pytest.fixture
def second_agent(support_agent):
    return make_staff_user("kim", group=support_agent.groups.get())
