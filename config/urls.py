from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_page
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from commerce import urls as commerce_urls
from config import health
from home.views import robots_txt, unsubscribe
from products.api import api_router
from search import views as search_views

SITEMAP_SECONDS = 60 * 60

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # A crawler fetches it a few times a day; with 10,000 products it takes a second to build.
    path("sitemap.xml", cache_page(SITEMAP_SECONDS)(sitemap), name="sitemap"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("emails/unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("reviews/", include("commerce.reviews.urls")),
    path("", include("products.urls")),
    path("", include("commerce.orders.invoice_urls")),
    path("api/v2/", api_router.urls),
    path("accounts/", include(commerce_urls.auth_urlpatterns)),
    path("", include(commerce_urls)),
    path("", include("commerce.recovery.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other URL from the page tree; keep this last.
urlpatterns += [path("", include(wagtail_urls))]
