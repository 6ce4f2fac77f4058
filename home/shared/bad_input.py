"""Refuse, with 400, requests carrying text that no page can use, before any view sees it.

Two kinds, both only ever sent by scanners and broken clients, and both a server error when
they reach the database: PostgreSQL cannot store or compare text with a NUL character, and
no database column holds a whole number beyond 64 bits (SQLite raises OverflowError,
PostgreSQL "bigint out of range" for an OFFSET). Checking here covers every view, the shop's,
Wagtail's and the catalogue API's, instead of each one parsing its arguments defensively.
"""

from django.core.exceptions import BadRequest

NUL = "\x00"
LARGEST_INTEGER = 2**63 - 1
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Free text a shopper types (the search page's and the catalogue API's search words): a
# long number there is words to look for, such as a serial number, never a number to count.
TEXT_PARAMETERS = {"query", "search"}


def unusable_input(request):
    """Why `request` cannot be served (a sentence), or None when it can.

    NUL is refused in the path, the query string and a form body. Numbers are only refused in
    the path and the query string: a form's own fields validate what they hold, and a long
    run of digits may be a password.
    """
    if NUL in request.path:
        return "The address contains a NUL character."
    if any(_is_out_of_range(segment) for segment in request.path.split("/")):
        return "The address contains a number too large for the shop."
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return "The query string contains a NUL character."
        if key not in TEXT_PARAMETERS and any(_is_out_of_range(value) for value in values):
            return f"The query parameter {key!r} is a number too large for the shop."
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                return "The form contains a NUL character."
    return None


def _is_out_of_range(text):
    # The digits Python's int() accepts are the ones a view parsing the value would accept.
    if not text or len(text) > 4000 or not text.strip().lstrip("+-").isdigit():
        return False
    try:
        return abs(int(text)) > LARGEST_INTEGER
    except ValueError:
        return False


class RefuseUnusableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = unusable_input(request)
        if reason:
            raise BadRequest(reason)
        return self.get_response(request)
