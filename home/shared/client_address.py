"""The address a request came from, as seen by the shop's own reverse proxy."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address.

    REMOTE_ADDR, unless the request came through one of settings.TRUSTED_PROXIES: then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries to its left
    are whatever the client sent (nginx's $proxy_add_x_forwarded_for appends), so a client
    cannot choose its address, and with no trusted proxies the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part.strip() for part in forwarded.split(",")]):
        if not _is_valid(entry):
            return remote
        if not _is_trusted_proxy(entry):
            return entry
    return remote


def _is_valid(address):
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _is_trusted_proxy(address):
    if not _is_valid(address):
        return False
    address = ipaddress.ip_address(address)
    return any(address in ipaddress.ip_network(proxy, strict=False)
               for proxy in settings.TRUSTED_PROXIES)
