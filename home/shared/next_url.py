"""Where to send a visitor back to after a form: the `next` they brought, when it is safe."""

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, default):
    """The request's `next` (POST, then GET) if it is a path or an http(s) URL on this shop's
    own host, otherwise `default`.

    The host check alone is not enough: it accepts "abc" or "*" as relative URLs, and
    redirect() would take a string without a slash for a view name (NoReverseMatch, a 500).
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    parts = urlsplit(url)
    if url.startswith("/") or (parts.scheme in ("http", "https") and parts.netloc):
        return url
    return default
