from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from home.shared.public_address import shop_url
from home.shared.unsubscribe import email_from_token, opt_out


@require_safe
def robots_txt(request):
    """Crawlers may read the catalogue; carts, checkout, accounts, search results and the
    admin are no use in a search engine. Points them at the sitemap."""
    content = render_to_string(
        "robots.txt", {"sitemap_url": shop_url(reverse("sitemap"))}
    )
    return HttpResponse(content, content_type="text/plain; charset=utf-8")


@csrf_exempt  # a mail client's one-click POST has no CSRF token; the signed link is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The link in every marketing email. GET asks to confirm with a button (a CSRF-checked
    form, so a link preview or scanner unsubscribes nobody); a POST unsubscribes, either that
    button or a mail client's RFC 8058 one-click POST (`List-Unsubscribe=One-Click`)."""
    email = email_from_token(token)
    if email is None:
        return render(request, "home/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != "One-Click":
            refused = CsrfViewMiddleware(lambda request: None).process_view(
                request, None, (), {}
            )
            if refused is not None:
                return refused
        opt_out(email)
        return render(request, "home/unsubscribe.html", {"done": True, "email": email})
    return render(request, "home/unsubscribe.html", {"email": email})
