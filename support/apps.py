from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from .models import Contact
        from .permissions import InquiryPermissionPolicy

        # Before anything asks for Contact's policy, which would create the default one.
        register_permission_policy(Contact, InquiryPermissionPolicy(Contact))
