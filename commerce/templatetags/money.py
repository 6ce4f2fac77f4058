from django import template

from commerce.pricing import format_money, with_currency

register = template.Library()


@register.filter
def money(amount):
    """An amount as the shop shows it everywhere: "$1,299.00" (empty when there is none)."""
    return "" if amount is None or amount == "" else format_money(amount)


@register.filter
def currency(number):
    """A number already formatted (a chart's axis: "1,300") with the shop's currency."""
    return with_currency(number)
