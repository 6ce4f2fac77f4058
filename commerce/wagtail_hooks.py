from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.models import Site
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup
from wagtail_modeladmin.options import modeladmin_register

from commerce.checkout.models import return_policy
from commerce.checkout.stripe_payment import LOG_ACTION_PAYMENT_FAILED, LOG_ACTION_PAYMENT_MISMATCH
from commerce.customers.admin_views import CustomerViewSet
from commerce.customers.models import Customer
from commerce.orders import invoice_urls
from commerce.orders import status as order_status
from commerce.orders.admin_views import (
    OrderViewSet,
    customer_permission_policy,
    order_permission_policy,
)
from commerce.orders.fulfilment import FulfilmentQueueAdmin
from commerce.orders.models import Order, OrderStatus
from commerce.orders.stock import LOG_ACTION_RESTOCK
from commerce.payments.refunds import LOG_ACTION_REFUND, LOG_ACTION_REFUND_FAILED
from commerce.pricing import format_money
from commerce.promotions.admin_views import VoucherViewSet
from commerce.promotions.offers import current_offers, next_offer_change
from commerce.recovery import admin as recovery_admin
from commerce.reports import dashboard, promotions_admin
from commerce.reviews.admin_views import ReviewViewSet
from commerce.reviews.rules import product_review_context, review_form_state
from commerce.reviews.structured_data import (
    aggregate_rating_structured_data,
    newest_reviews,
    review_structured_data,
)
from commerce.shipping.admin_views import ShippingViewSetGroup
from commerce.shipping.structured_data import add_shipping_and_returns
from home.shared import page_cache
from home.shared.offers import CURRENT_OFFERS_HOOK
from products.models import PRODUCT_PAGE_CONTEXT_HOOK

# Policies first: Wagtail must not build its default policy for these models before them.
register_permission_policy(Order, order_permission_policy)
register_permission_policy(Customer, customer_permission_policy)


class ShopViewSetGroup(SnippetViewSetGroup):
    menu_label = "Shop"
    menu_icon = "list-ul"
    menu_order = 150
    items = (OrderViewSet, CustomerViewSet, ReviewViewSet)


register_snippet(ShopViewSetGroup)
register_snippet(ShippingViewSetGroup)
register_snippet(VoucherViewSet)
modeladmin_register(FulfilmentQueueAdmin)


@hooks.register("register_log_actions")
def register_order_log_actions(actions):
    @actions.register_action(order_status.LOG_ACTION)
    class OrderStatusChangeFormatter(LogFormatter):
        label = "Change order status"

        def format_message(self, log_entry):
            try:
                message = "Status changed from {} to {}".format(
                    OrderStatus(log_entry.data["from"]).label.lower(),
                    OrderStatus(log_entry.data["to"]).label.lower(),
                )
            except (KeyError, ValueError):
                return "Status changed"
            tracking = " ".join(
                filter(None, [log_entry.data.get("carrier"), log_entry.data.get("tracking_number")])
            )
            return f"{message} ({tracking})" if tracking else message

    @actions.register_action(LOG_ACTION_REFUND)
    class RefundFormatter(LogFormatter):
        label = "Refund payment"

        def format_message(self, log_entry):
            try:
                message = f"{format_money(log_entry.data['amount'])} refunded"
            except (KeyError, ArithmeticError):
                return "Payment refunded"
            reason = log_entry.data.get("reason")
            return f"{message}: {reason}" if reason else message

    @actions.register_action(LOG_ACTION_RESTOCK)
    class RestockFormatter(LogFormatter):
        label = "Put units back in stock"

        def format_message(self, log_entry):
            lines = log_entry.data.get("lines") or []
            listed = ", ".join(
                f"{line.get('units')} × {line.get('product')}" for line in lines
            )
            return f"Put back in stock: {listed}" if listed else "Units put back in stock"

    @actions.register_action(LOG_ACTION_PAYMENT_MISMATCH)
    class PaymentMismatchFormatter(LogFormatter):
        label = "Payment did not match the order"

        def format_message(self, log_entry):
            return (
                f"Payment {log_entry.data.get('intent', '')} not accepted, it does not match "
                f"the order: {log_entry.data.get('problem', '')}"
            )

    @actions.register_action(LOG_ACTION_PAYMENT_FAILED)
    class PaymentFailedFormatter(LogFormatter):
        label = "Card payment declined"

        def format_message(self, log_entry):
            message = log_entry.data.get("message", "")
            return f"Card payment declined: {message}".strip(": ")

    @actions.register_action(LOG_ACTION_REFUND_FAILED)
    class RefundFailedFormatter(LogFormatter):
        label = "Refund refused"

        def format_message(self, log_entry):
            reason = log_entry.data.get("reason", "")
            return f"Refund refused by the payment provider: {reason}".strip(": ")


hooks.register("construct_homepage_panels", dashboard.add_dashboard_panels)


@hooks.register("register_admin_urls")
def register_invoice_admin_urls():
    return invoice_urls.admin_urlpatterns


for marketing_report in (recovery_admin.REPORT, promotions_admin.REPORT):
    hooks.register("register_admin_urls", marketing_report.admin_urls)
    hooks.register("register_reports_menu_item", marketing_report.menu_item)


# The Current offers block on the home and product pages (home/shared/offers.py).
hooks.register(CURRENT_OFFERS_HOOK, current_offers)
# A cached page may hold the offers block: none is kept past a public code starting or ending.
hooks.register(page_cache.EXPIRY_HOOK, next_offer_change)


@hooks.register(page_cache.PERSONAL_PARTS_HOOK)
def review_personal_parts():
    return {"review-form": ("commerce/reviews/review_write.html", review_form_state)}


@hooks.register(PRODUCT_PAGE_CONTEXT_HOOK)
def add_reviews_to_product_page(request, product, context):
    context.update(product_review_context(request, product))
    aggregate_rating = aggregate_rating_structured_data(context["rating_summary"])
    if aggregate_rating:
        context["structured_data"]["aggregateRating"] = aggregate_rating
        context["structured_data"]["review"] = [
            review_structured_data(review)
            for review in newest_reviews(product, context.get("reviews"))
        ]


@hooks.register(PRODUCT_PAGE_CONTEXT_HOOK)
def add_shipping_and_returns_to_product_page(request, product, context):
    policy = return_policy(Site.find_for_request(request))
    context["return_policy"] = policy
    add_shipping_and_returns(context["structured_data"]["offers"], product, policy)
