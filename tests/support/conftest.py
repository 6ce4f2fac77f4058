import pytest
from wagtail.models import Site

from support.models import SupportSettings
from tests.factories import make_admin_user, make_contact_page

SUPPORT_PERMISSIONS = [
    "support.view_contact", "support.change_contact", "support.delete_contact",
]


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """Throttle counts live in the cache: every support test starts from zero."""


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
    user = make_admin_user("sam", SUPPORT_PERMISSIONS)
    user.first_name, user.last_name = "Sam", "Support"
    user.save()
    return user


@pytest.fixture
def second_agent(support_agent):
    return make_admin_user("kim", group=support_agent.groups.get())
