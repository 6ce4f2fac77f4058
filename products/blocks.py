"""Feature spec blocks for product pages; each renders as one row of the spec table."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from wagtail import blocks

SPEC_ROW_TEMPLATE = "products/blocks/spec_row.html"


class SpecRowMixin:
    """A spec block knows its row label and how its value reads to a shopper."""

    unit = ""

    def spec_label(self, value):
        return self.label

    def spec_value(self, value):
        return f"{value} {self.unit}".strip() if self.unit else str(value)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["label"] = self.spec_label(value)
        context["display_value"] = self.spec_value(value)
        return context


class TextSpecBlock(SpecRowMixin, blocks.CharBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)

    class Meta:
        template = SPEC_ROW_TEMPLATE


class RamBlock(SpecRowMixin, blocks.IntegerBlock):
    unit = "GB"

    def clean(self, value):
        value = super().clean(value)
        if value is None or value <= 0:
            raise ValidationError("RAM must be a whole number of gigabytes greater than zero.")
        return value

    class Meta:
        label = "RAM"
        help_text = "Memory in GB, for example 16."
        template = SPEC_ROW_TEMPLATE
        icon = "list-ul"


class WeightBlock(SpecRowMixin, blocks.DecimalBlock):
    unit = "kg"

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value is None or value <= Decimal("0"):
            raise ValidationError("Weight must be greater than zero kilograms, for example 1.35.")
        return value

    class Meta:
        label = "Weight"
        help_text = "Weight in kg, for example 1.35."
        template = SPEC_ROW_TEMPLATE
        icon = "list-ul"


class FeatureRowBlock(SpecRowMixin, blocks.StructBlock):
    """Any other key/value feature, such as 'Battery' / '18 hours'."""

    label_text = blocks.CharBlock(label="Label", max_length=60)
    value_text = blocks.CharBlock(label="Value", max_length=200)

    def spec_label(self, value):
        return value["label_text"]

    def spec_value(self, value):
        return value["value_text"]

    class Meta:
        label = "Other feature"
        template = SPEC_ROW_TEMPLATE
        icon = "list-ul"


class ProductSpecsBlock(blocks.StreamBlock):
    brand = TextSpecBlock(label="Brand", icon="tag")
    model = TextSpecBlock(label="Model", icon="doc-full")
    processor = TextSpecBlock(label="Processor", icon="cogs")
    ram = RamBlock()
    storage = TextSpecBlock(label="Storage", help_text="For example 512 GB SSD.", icon="list-ul")
    display = TextSpecBlock(label="Display", help_text='For example 14" 2880x1800 OLED.')
    weight = WeightBlock()
    feature = FeatureRowBlock()

    class Meta:
        block_counts = {
            "brand": {"max_num": 1},
            "model": {"max_num": 1},
            "processor": {"max_num": 1},
            "ram": {"max_num": 1},
            "weight": {"max_num": 1},
        }


def spec_rows(features):
    """(label, value) pairs for a features StreamValue, in editor order."""
    return [
        (child.block.spec_label(child.value), child.block.spec_value(child.value))
        for child in features
    ]


def first_spec_value(features, block_type):
    """The raw value of the first block of block_type, or None."""
    for child in features:
        if child.block_type == block_type:
            return child.value
    return None
