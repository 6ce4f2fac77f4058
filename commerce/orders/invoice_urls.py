"""Invoice URLs.

- `invoices:download` (/accounts/orders/<number>/invoice.pdf): the customer's own invoice;
  included from config/urls.py.
- `invoices_admin:download` (/admin/invoices/<number>.pdf): any placed order's invoice for
  staff who may view orders; registered in commerce/wagtail_hooks.py.

Neither may be kept by any cache (home/shared/private_pages.py).
"""

from django.urls import include, path

from commerce.orders import invoice_views
from home.shared.private_pages import never_cached

app_name = "invoices"

urlpatterns = never_cached([
    path(
        "accounts/orders/<str:number>/invoice.pdf",
        invoice_views.customer_invoice,
        name="download",
    ),
])

admin_urlpatterns = never_cached([
    path(
        "invoices/",
        include(
            (
                [path("<str:number>.pdf", invoice_views.staff_invoice, name="download")],
                "invoices_admin",
            )
        ),
    ),
])
