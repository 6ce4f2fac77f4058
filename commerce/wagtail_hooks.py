from wagtail.snippets.models import register_snippet

from .review_admin import ReviewViewSet

register_snippet(ReviewViewSet)
