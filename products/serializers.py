"""API serializer fields for product pages (see ProductPage.api_fields)."""

from rest_framework.fields import Field


class TagNamesField(Field):
    """Tag names in alphabetical order, like Wagtail's TagsField, but read from prefetched tags
    so that a listing of products costs one tag query rather than one per product."""

    def to_representation(self, value):
        return sorted(tag.name for tag in value.all())
