from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from home.shared.offers import CurrentOffersBlock


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "link"
        template = "home/blocks/call_to_action.html"


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    image = ImageChooserBlock(required=False)
    call_to_action = CallToActionBlock(required=False)

    class Meta:
        icon = "image"
        template = "home/blocks/hero.html"


class HomeContentBlock(blocks.StreamBlock):
    hero = HeroBlock()
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "h2", "h3", "ul", "ol"])
    current_offers = CurrentOffersBlock()
