"""API serializer fields for product pages (see ProductPage.api_fields)."""

from rest_framework.fields import Field
from wagtail.images.api.fields import ImageRenditionField

from .gallery import product_gallery


class TagNamesField(Field):
    """Tag names in alphabetical order, like Wagtail's TagsField, but read from prefetched tags
    so that a listing of products costs one tag query rather than one per product."""

    def to_representation(self, value):
        return sorted(tag.name for tag in value.all())


class GalleryField(Field):
    """The product's pictures in the order the page shows them (products.gallery): the main
    image, then the editor's gallery, each as a rendition with its alt text and caption."""

    def __init__(self, filter_spec, **kwargs):
        self.rendition = ImageRenditionField(filter_spec)
        super().__init__(source="*", **kwargs)

    def to_representation(self, product):
        return [
            {**self.rendition.to_representation(picture.image), "alt": picture.alt,
             "caption": picture.caption}
            for picture in product_gallery(product)
        ]
