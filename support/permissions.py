from django.contrib.auth import get_user_model
from wagtail.permission_policies import ModelPermissionPolicy


class InquiryPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, except that nobody adds (or copies) an inquiry in the admin:
    inquiries arrive through the contact page only."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "add"]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)
