from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from home.shared.admin_access import AdminWritesRefusedPolicy

        from .models import Contact

        # Before anything asks for Contact's policy, which would create the default one.
        # Inquiries arrive through the contact page only: nobody adds (or copies) one in the
        # admin, while support staff change their notes, status and assignee.
        register_permission_policy(Contact, AdminWritesRefusedPolicy(Contact, {"add"}))
