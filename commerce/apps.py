from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "Shop"

    def ready(self):
        from commerce import signals  # noqa: F401
        from commerce.payments import checks  # noqa: F401
