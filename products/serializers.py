"""API serializer fields for product pages (see ProductPage.api_fields)."""

from rest_framework.fields import Field
from wagtail.images.api.fields import ImageRenditionField

from .gallery import product_gallery
from .options import option_values


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


class VariantsField(Field):
    """The configurations a product is sold in (its active variants, from the prefetch): SKU,
    option values (numbers for RAM and storage in GB), price and stock state."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, product):
        return [
            {
                "sku": variant.sku,
                "options": {
                    option.field: value for option, value in option_values(variant).items()
                },
                "label": variant.option_labels,
                "price": str(product.price if variant.price is None else variant.price),
                "in_stock": variant.in_stock,
                "stock_state": variant.stock_state_for(product).label,
            }
            for variant in product.variants.all()
            if variant.active
        ]
