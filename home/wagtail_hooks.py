from taggit.models import Tag
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from home.shared import fixed_lookups, page_cache
from home.shared.admin_access import ShopSnippetViewSet, SnippetDeleteBulkAction


class TagViewSet(ShopSnippetViewSet):
    """Product tags in one list, so marketers can rename, merge by hand or remove them."""

    model = Tag
    icon = "tag"
    add_to_admin_menu = True
    menu_label = "Tags"
    menu_order = 250
    list_display = ["name", "slug"]
    search_fields = ["name"]
    search_backend_name = None
    panels = [FieldPanel("name")]


register_snippet(TagViewSet)
# After Wagtail's own registration, so this one replaces it for every snippet model.
hooks.register("register_bulk_action", SnippetDeleteBulkAction, order=1)


@hooks.register("before_serve_page")
def allow_page_cache(page, request, serve_args, serve_kwargs):
    # A page under a view restriction is shown in full only to those who passed it (a login,
    # a password kept in their session), so it is never stored for everyone.
    if (
        page_cache.page_type_is_cacheable(page)
        and not page.alias_of_id
        and not fixed_lookups.view_restrictions_for(page)
    ):
        page_cache.allow_caching(request)


@hooks.register(page_cache.PERSONAL_PARTS_HOOK)
def header_personal_parts():
    return {"header-account": ("includes/header_account.html", lambda request: {})}
