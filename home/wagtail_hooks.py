from taggit.models import Tag
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet


class TagViewSet(SnippetViewSet):
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
