"""System checks on the shop's public address (run by `manage.py check --deploy --database
default`: like Django's own database checks, it reads the database only when asked to)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register
from django.db import DatabaseError

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


@register("shop", deploy=True)
def check_site_address(app_configs, databases=None, **kwargs):
    """Warn when the default Wagtail Site still names localhost, or another host than
    SHOP_BASE_URL: Wagtail's "View live" links and page URLs in the admin are built on it."""
    if not databases:
        return []
    from wagtail.models import Site

    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError:
        return []  # not migrated yet: nothing to compare
    public_host = urlsplit(settings.SHOP_BASE_URL).hostname
    if site is None or site.hostname == public_host:
        return []
    problem = (
        "is localhost" if site.hostname in LOOPBACK_HOSTS
        else f"is {site.hostname}, not the host of SHOP_BASE_URL ({public_host})"
    )
    return [Warning(
        f"The hostname of the default Wagtail Site {problem}: the admin's \"View live\" "
        "links and Wagtail's page URLs would point there, not at the shop.",
        hint=f"In the admin, Settings → Sites, set the default site's hostname to "
             f"{public_host} (and its port to 443).",
        id="home.W001",
    )]
