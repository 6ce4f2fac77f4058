"""Keep the anonymous page cache fresh: any change that can show on a shop page clears it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.images.models import AbstractImage
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import post_page_move

from home.shared import fixed_lookups, page_cache

# Pages cover publishing, unpublishing, moving, deleting and price or stock edits (all of
# them save the page); view restrictions and sites decide who sees which page at which
# address; images cover a new focal point (renditions change); tags cover a rename; settings
# cover shop-wide options shown on pages, such as the bulk discount. The shop apps clear the
# cache for their own records shown on pages (commerce/signals.py: reviews and their authors).
SHOWN_ON_PAGES = (
    Page, PageViewRestriction, Site, AbstractImage, Tag,
    BaseSiteSetting, BaseGenericSetting,
)
# What the per-request lookups held in memory are made of (home/shared/fixed_lookups.py): the
# site, its root paths, the header and footer links, the seller, private sections.
LOOKED_UP_ON_EVERY_PAGE = (Page, PageViewRestriction, Site, BaseSiteSetting, BaseGenericSetting)


@receiver(post_save, dispatch_uid="page_cache_saved")
@receiver(post_delete, dispatch_uid="page_cache_deleted")
def invalidate_page_cache(sender, instance, **kwargs):
    if isinstance(instance, LOOKED_UP_ON_EVERY_PAGE):
        fixed_lookups.invalidate()
    if isinstance(instance, SHOWN_ON_PAGES):
        page_cache.invalidate_catalogue()


@receiver(post_page_move, dispatch_uid="fixed_lookups_page_moved")
def invalidate_fixed_lookups_on_move(sender, **kwargs):
    fixed_lookups.invalidate()
