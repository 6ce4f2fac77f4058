"""The Current offers block marketers place on the home page and on product pages.

Its copy is never typed by an editor: the block asks the apps that run promotions for the
offers live now, through the `current_offers` Wagtail hook (commerce registers it, so that
home and products import nothing of commerce). Each hook function takes `now` and returns a
list of objects with `headline`, `detail` and `code` (commerce.promotions.offers.Offer).
"""

from django.utils import timezone
from wagtail import blocks, hooks

CURRENT_OFFERS_HOOK = "current_offers"
DEFAULT_HEADING = "Current offers"


def offers_now(now=None):
    """Every offer the apps' `current_offers` hooks report at `now` (default: now)."""
    now = now or timezone.now()
    return [
        offer for registered in hooks.get_hooks(CURRENT_OFFERS_HOOK) for offer in registered(now)
    ]


class CurrentOffersBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, required=False, default=DEFAULT_HEADING)

    class Meta:
        icon = "tag"
        label = "Current offers"
        template = "home/blocks/current_offers.html"
        description = (
            "The bulk discount and the public voucher codes running now, written from the "
            "live promotion rules. Shows nothing while there are none."
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["offers"] = offers_now()
        context["heading"] = value.get("heading") or DEFAULT_HEADING
        return context
