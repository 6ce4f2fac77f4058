from django import template

from commerce.pricing import format_money

register = template.Library()


@register.filter
def money(amount):
    """An amount as the shop shows it everywhere: "$1,299.00" (empty when there is none)."""
    return "" if amount is None or amount == "" else format_money(amount)
