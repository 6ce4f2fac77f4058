"""Reviews in the Wagtail admin: a snippet listing with filters, search, and hide/publish actions.

Reviews are the customers' own words, so staff can read, hide, publish and delete them but
never write or edit one: the permission policy below never grants "add" or "change". Hiding and
publishing need the custom "moderate" permission (commerce.moderate_review) and go through
commerce.reviews.rules, which records the staff member and logs the action in the review's history.
"""

import django_filters
from django import forms
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import Truncator
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import HistoryView, IndexView, InspectView

from commerce.reviews.forms import HideReviewForm
from commerce.reviews.models import Review
from commerce.reviews.rules import LOG_ACTION_HIDE, LOG_ACTION_PUBLISH, hide_review, publish_review
from home.shared.admin_access import AdminWritesRefusedPolicy, ShopSnippetViewSet
from home.shared.admin_actions import ConfirmedActionView
from products.models import ProductPage

MODERATE = "moderate"


# Registered on import, before the snippet viewset asks for the model's policy.
# Reviews are the customers' own words: nobody, superusers included, writes or edits one here.
register_permission_policy(Review, AdminWritesRefusedPolicy(Review, {"add", "change"}))


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    @actions.register_action(LOG_ACTION_HIDE)
    class HideReviewLogFormatter(LogFormatter):
        label = "Hide review"

        def format_message(self, log_entry):
            return f"Hidden: {log_entry.data.get('reason', '')}"

    actions.register_action(LOG_ACTION_PUBLISH, "Publish review", "Published")


class ReviewFilterSet(WagtailFilterSet):
    product = django_filters.ModelChoiceFilter(
        label="Product",
        # Only products that have reviews, so the list stays short.
        queryset=ProductPage.objects.filter(pk__in=Review.objects.values("product")).order_by(
            "title"
        ),
    )

    class Meta:
        model = Review
        fields = ["rating", "status", "product"]


class ModerationButtonMixin:
    """The Hide or Publish button for a review, for users allowed to moderate."""

    hide_url_name = None
    publish_url_name = None

    def get_moderation_button(self, review, next_url=None):
        if not self.user_has_permission(MODERATE):
            return None
        if review.is_published:
            label, url_name, icon_name = "Hide", self.hide_url_name, "no-view"
        else:
            label, url_name, icon_name = "Publish", self.publish_url_name, "view"
        url = reverse(url_name, args=[review.pk])
        if next_url:
            url = f"{url}?{urlencode({'next': next_url})}"
        return Button(label, url=url, icon_name=icon_name, priority=15)


class ReviewIndexView(ModerationButtonMixin, IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if button := self.get_moderation_button(instance, next_url=self.request.get_full_path()):
            buttons.append(button)
        return buttons


class ReviewInspectView(ModerationButtonMixin, InspectView):
    def get_hidden_by_display_value(self):
        return self.object.hidden_by or "—"

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if button := self.get_moderation_button(self.object):
            buttons.append(button)
        return buttons


class ReviewHistoryView(HistoryView):
    # Reviews are never added or changed in the admin; moderators read their history.
    any_permission_required = ["view", MODERATE, "delete"]


class ReviewModerationView(ConfirmedActionView):
    """Ask a moderator to confirm (GET), then apply the decision through commerce.reviews."""

    model = Review
    permission_required = MODERATE
    template_name = "commerce/reviews/admin/moderate.html"
    index_url_name = None
    inspect_url_name = None
    header_icon = "comment"
    submit_label = ""
    explanation = ""

    def get_parent_breadcrumbs(self):
        return [
            {"url": reverse(self.index_url_name), "label": "Reviews"},
            {"url": reverse(self.inspect_url_name, args=[self.object.pk]), "label": "Review"},
        ]

    def get_default_url(self):
        return reverse(self.index_url_name)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            review=self.object,
            submit_label=self.submit_label,
            explanation=self.explanation,
            **kwargs,
        )


class HideReviewView(ReviewModerationView):
    page_title = "Hide review"
    form_class = HideReviewForm
    submit_label = "Hide review"
    explanation = (
        "A hidden review disappears from the product page and no longer counts in the "
        "product's average rating. The customer can still see and edit it."
    )

    def perform(self, form):
        hide_review(self.object, self.request.user, form.cleaned_data["reason"])
        return f"Review hidden: it is no longer shown on “{self.object.product}”."


class PublishReviewView(ReviewModerationView):
    page_title = "Publish review"
    form_class = forms.Form
    submit_label = "Publish review"
    explanation = (
        "A published review is shown on the product page and counts in its average rating."
    )

    def perform(self, form):
        publish_review(self.object, self.request.user)
        return f"Review published: it is shown on “{self.object.product}” again."


def review_excerpt(review):
    return Truncator(review.content).chars(80)


class ReviewViewSet(ShopSnippetViewSet):
    model = Review
    icon = "comment"
    menu_label = "Reviews"
    index_view_class = ReviewIndexView
    inspect_view_class = ReviewInspectView
    history_view_class = ReviewHistoryView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    list_display = [
        "product",
        "customer",
        "rating",
        Column("content", label="Review", accessor=review_excerpt),
        StatusTagColumn(
            "status",
            label="Status",
            accessor="get_status_display",
            primary=lambda review: review.is_published,
            sort_key="status",
        ),
        DateColumn("created_at", label="Submitted", sort_key="created_at"),
    ]
    filterset_class = ReviewFilterSet
    search_fields = ["content", "customer__name", "product__title"]
    inspect_view_fields = [
        "product",
        "customer",
        "rating",
        "content",
        "status",
        "hidden_by",
        "hidden_reason",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return Review.objects.select_related("product", "customer")

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            hide_url_name=self.get_url_name("hide"),
            publish_url_name=self.get_url_name("publish"),
            **kwargs,
        )

    @property
    def hide_view(self):
        return self.construct_view(HideReviewView)

    @property
    def publish_view(self):
        return self.construct_view(PublishReviewView)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("hide/<int:pk>/", self.hide_view, name="hide"),
            path("publish/<int:pk>/", self.publish_view, name="publish"),
        ]
