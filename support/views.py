"""The contact page's form: shown, validated, and turned into an inquiry."""

from django.conf import settings
from django.shortcuts import redirect

from commerce.customers.accounts import customer_for
from home.shared.client_address import client_address

from .forms import ContactForm
from .inquiries import InquiryThrottled, receive_inquiry, throttle_inquiry
from .models import SupportSettings

SENT_SESSION_KEY = "support_inquiry_sent"


def contact_form(request, page):
    customer = customer_for(request.user)
    form_kwargs = {"customer": customer, "user": request.user}
    if request.method == "POST":
        form = ContactForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                throttle_inquiry(form.cleaned_data["email"], client_address(request))
            except InquiryThrottled as refusal:
                form.add_error(None, str(refusal))
                response = page.render(request, context_overrides={"form": form})
                response.status_code = 429
                response["Retry-After"] = str(settings.CONTACT_THROTTLE_MINUTES * 60)
                return response
            support_email = SupportSettings.for_request(request).support_email
            received = receive_inquiry(form.save(commit=False), support_email=support_email)
            request.session[SENT_SESSION_KEY] = {
                "reference": received.inquiry.pk,
                "email": received.inquiry.email,
                "acknowledgement": received.acknowledgement.status,
            }
            return redirect(page.get_url(request) + page.reverse_subpage("thanks"))
    else:
        form = ContactForm(**form_kwargs)
    return page.render(request, context_overrides={"form": form})


def thanks(request, page):
    """The thank-you page, once per sent inquiry; otherwise back to the form."""
    sent = request.session.pop(SENT_SESSION_KEY, None)
    if sent is None:
        return redirect(page.get_url(request))
    return page.render(
        request, template="support/contact_page_thanks.html", context_overrides={"sent": sent}
    )
