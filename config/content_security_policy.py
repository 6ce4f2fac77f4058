"""The Content-Security-Policy header on every response (Django 5.2 has none built in).

Storefront pages get settings.CONTENT_SECURITY_POLICY: everything from the shop's own origin
only, and no inline script or style, so text injected into a page could not run even if it
slipped past escaping. Paths under CONTENT_SECURITY_POLICY_ADMIN_PATHS get
CONTENT_SECURITY_POLICY_ADMIN instead: the Wagtail and Django admins write inline scripts and
styles that the storefront's policy would block.

A response that already carries a policy keeps it: Wagtail's image and document views send
a stricter one of their own. With CONTENT_SECURITY_POLICY_REPORT_ONLY the policy is only
reported in the browser's console, not enforced (development: Django's debug pages are
made of inline scripts and styles).
"""

from django.conf import settings

HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


def policy_header(policy):
    """The header's value: a string as it is, or a dict of directive to its list of sources
    ({"default-src": ["'self'"], "upgrade-insecure-requests": []})."""
    if isinstance(policy, str):
        return policy
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


def policy_for(path):
    if path.startswith(tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PATHS)):
        return settings.CONTENT_SECURITY_POLICY_ADMIN
    return settings.CONTENT_SECURITY_POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER in response or REPORT_ONLY_HEADER in response:
            return response
        header = REPORT_ONLY_HEADER if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY else HEADER
        response[header] = policy_header(policy_for(request.path))
        return response
