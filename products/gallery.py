"""The pictures of a product page: the main image first, then the editor's gallery in order."""

from dataclasses import dataclass


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
    none for a product loaded with ProductPageQuerySet.with_gallery(). On a preview the
    gallery is the editor's unsaved one, held in memory by modelcluster.
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
