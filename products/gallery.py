"""The pictures of a product page: the main image first, then the editor's gallery in order."""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from wagtail.images import get_image_model

from .json_rows import prefetched


@dataclass(frozen=True)
class GalleryPicture:
    image: object
    alt: str
    caption: str
    number: int  # from 1, in the order shown

    @property
    def anchor(self):
        """The id of the full picture, which its thumbnail links to (works without JavaScript)."""
        return f"product-image-{self.number}"


def product_gallery(product, main_image=None):
    """The product's pictures to show, main image first (`main_image`, the chosen variant's,
    if given, in place of the product's).

    Two queries for the gallery (its images, then their renditions), however many pictures;
    none after load_pictures() or for a product loaded with ProductPageQuerySet.with_gallery().
    On a preview the gallery is the editor's unsaved one, held in memory by modelcluster.
    """
    pictures = []
    main_image = main_image or product.image
    if main_image:
        pictures.append((main_image, product.title, ""))
    if "gallery_images" in getattr(product, "_prefetched_objects_cache", {}):
        gallery_images = product.gallery_images.all()
    else:
        gallery_images = product.gallery_images.select_related("image").prefetch_related(
            "image__renditions"
        )
    pictures += [(item.image, item.alt_text, item.caption) for item in gallery_images]
    return [
        GalleryPicture(image, alt, caption, number)
        for number, (image, alt, caption) in enumerate(pictures, start=1)
    ]


def _rows_of(product, relation):
    """The rows of a child relation, read once and then kept as prefetched (in memory on a
    preview, where modelcluster holds the editor's rows)."""
    manager = getattr(product, relation)
    rows = list(manager.all())
    if product.pk is not None and not manager.is_deferring:
        prefetched(product, relation, rows)
    return rows


def load_pictures(product, more_images=()):
    """Load every picture of a product page with its renditions before anything renders
    them: the main image, the gallery's and the variants' images, and `more_images` (the
    related products' cards). One query for the images not loaded yet (none when there are
    none) and one for the renditions of all of them."""
    holders = [
        row for row in _rows_of(product, "gallery_images") + _rows_of(product, "variants")
        if row.image_id is not None and not type(row).image.is_cached(row)
    ]
    if holders:
        found = get_image_model().objects.in_bulk({row.image_id for row in holders})
        for row in holders:
            row.image = found.get(row.image_id)
    pictures = [product.image] + [
        row.image for row in product.gallery_images.all() if row.image_id is not None
    ] + [row.image for row in product.variants.all() if row.image_id is not None]
    prefetch_related_objects(
        [
            image for image in [*pictures, *more_images]
            if image is not None and "renditions" not in getattr(
                image, "_prefetched_objects_cache", {}
            )
        ],
        "renditions",
    )
