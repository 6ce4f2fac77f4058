"""The variant picker of a product page: which configuration is shown, and the choices.

Works without JavaScript: every choice is a link to the page with `?variant=SKU`, rendered on
the server, and the add-to-cart form posts the chosen variant. With JavaScript
(static/js/variant-picker.js) the same links fetch that page and swap its picture and summary
in, so the price, stock state and picture change in place with no second copy of these rules.
A choice leads to the configuration with that value and as many of the other options chosen
now as exist; a value no configuration can be bought with (none exists, or all are inactive or
sold out) is shown as unavailable and not offered.
"""

from dataclasses import dataclass

from .options import differing_options


@dataclass(frozen=True)
class Choice:
    label: str
    sku: str | None  # the variant this choice leads to (None: none with it can be bought)
    selected: bool

    @property
    def available(self):
        return self.sku is not None


@dataclass(frozen=True)
class OptionPicker:
    option: object
    choices: list


@dataclass(frozen=True)
class VariantPicker:
    variants: list  # the active variants, in the editor's order
    selected: object  # the variant shown
    options: list  # OptionPicker for each option the variants differ by

    @property
    def has_choices(self):
        return len(self.variants) > 1


def offered_variants(product):
    """The product's active variants in the editor's order (the in-memory ones on a preview),
    each knowing `product` without a query for it."""
    variants = [variant for variant in product.variants.all() if variant.active]
    for variant in variants:
        variant.product = product
    return variants


def variant_picker(product, requested_sku=None):
    """The picker for `product` with the variant of SKU `requested_sku` selected (if it is
    one of the product's active variants), else the first that can be bought, else the first."""
    variants = offered_variants(product)
    if not variants:
        return VariantPicker([], None, [])
    selected = next((v for v in variants if v.sku == requested_sku), None) or next(
        (v for v in variants if v.in_stock), variants[0]
    )
    options = [
        OptionPicker(option, _choices(option, variants, selected))
        for option in differing_options(variants)
    ]
    return VariantPicker(variants, selected, options)


def _choices(option, variants, selected):
    values = []
    for variant in variants:
        value = getattr(variant, option.field)
        if value not in values:
            values.append(value)
    if option.is_number:
        values.sort(key=lambda value: (value is None, value or 0))
    others = _other_fields(option, variants)
    choices = []
    for value in values:
        # The variant that can be bought with this value and as many of the other options as
        # selected now as possible (all of them, when that combination exists).
        candidates = [
            variant for variant in variants
            if getattr(variant, option.field) == value and variant.in_stock
        ]
        best = max(
            candidates,
            key=lambda variant: sum(
                getattr(variant, other) == getattr(selected, other) for other in others
            ),
            default=None,
        )
        choices.append(Choice(
            label=option.display(value) or "None",
            sku=best.sku if best is not None else None,
            selected=getattr(selected, option.field) == value,
        ))
    return choices


def _other_fields(option, variants):
    return [other.field for other in differing_options(variants) if other != option]


def shared_spec_blocks(features, picker):
    """The spec blocks that hold for every variant: those of an option the variants differ by
    (RAM, say) are left out, as the picker shows that option's values."""
    varying = {picker_option.option.spec for picker_option in picker.options}
    return [block for block in features if block.block_type not in varying]
