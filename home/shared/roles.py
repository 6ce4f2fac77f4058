"""Staff roles: the groups shop staff belong to, and what each may do in the Wagtail admin.

Roles are site-wide (page permissions on the root page, media permissions on the root
collection, settings permissions for every site). Superusers need no group.

`create_staff_roles` is called by the `staff_roles` data migration and is safe to call again:
it only adds what is missing, so anything an administrator grants later is kept. Permissions
of models that are not installed yet are skipped, so it works at any point of the migration
history; a later migration calls it again when a role gains a model.
"""

import swapper
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

MARKETERS = "Marketers"
SUPPORT = "Support"
FULFILMENT = "Fulfilment"
STAFF_ROLES = (MARKETERS, SUPPORT, FULFILMENT)



def crud(model_name):
    return [f"{action}_{model_name}" for action in ("add", "change", "delete", "view")]


# Model permissions: model label to permission codenames. A model that is not installed is
# skipped; a codename its model does not have is an error.
MODEL_PERMISSIONS = {
    MARKETERS: {
        "wagtailadmin.admin": ["access_admin"],
        "taggit.tag": crud("tag"),
        # Site settings for marketing; Wagtail only asks for "change" on a setting.
        "commerce.bulkdiscountsettings": ["change_bulkdiscountsettings"],
        "commerce.checkoutsettings": ["change_checkoutsettings"],
        # Voucher codes (commerce.promotions): their listing shows each code's uses.
        "commerce.voucher": crud("voucher"),
        # The stock ledger (read-only): why a product's count changed.
        "products.stockmovement": ["view_stockmovement"],
        # Who is waiting for a product to be back (read-only): demand to restock for.
        "products.backinstockrequest": ["view_backinstockrequest"],
        # Abandoned carts, reminders and what they recovered (commerce.recovery).
        "commerce.cartreminder": ["view_cart_recovery_report"],
    },
    SUPPORT: {
        "wagtailadmin.admin": ["access_admin"],
        # Inquiries only arrive through the contact page, so there is nothing to add.
        "support.contact": ["view_contact", "change_contact", "delete_contact"],
        # Where new inquiries are announced: the support team's own inbox.
        "support.supportsettings": ["change_supportsettings"],
        "commerce.order": ["view_order"],
        "commerce.customer": ["view_customer"],
        # Moderating reviews (hide, publish) is answering customers in public.
        "commerce.review": ["view_review", "moderate_review"],
    },
    FULFILMENT: {
        "wagtailadmin.admin": ["access_admin"],
        "commerce.order": ["view_order", "change_order_status"],
        "products.stockmovement": ["view_stockmovement"],
        # How orders ship and what it costs. Tax rates are a legal matter: administrators only.
        "commerce.shippingmethod": crud("shippingmethod"),
        "commerce.shippingsettings": ["change_shippingsettings"],
    },
}

# Page permissions granted on the root page, so they cover the whole tree.
PAGE_PERMISSIONS = {
    MARKETERS: ["add", "change", "publish", "lock", "unlock"],
}

# Image and document permissions granted on the root collection, so they cover all of them.
COLLECTION_PERMISSIONS = {
    MARKETERS: {
        "wagtailimages.image": ["add_image", "change_image", "delete_image", "choose_image"],
        "wagtaildocs.document": [
            "add_document", "change_document", "delete_document", "choose_document"
        ],
    },
}


def create_staff_roles(apps=global_apps):
    """Create the staff groups and grant them their permissions; return the groups by name.

    `apps` is the app registry to use: a migration passes its historical one.
    """
    ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in STAFF_ROLES}

    for name, codenames_by_model in MODEL_PERMISSIONS.items():
        groups[name].permissions.add(*find_permissions(apps, codenames_by_model))

    page_model_label = swapper.get_model_name("wagtailcore", "Page").lower()
    root_page = apps.get_model(page_model_label).objects.filter(depth=1).first()
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    # A database without its root page or collection (a flushed test database migrating
    # again) has nothing to grant them on.
    for name, actions in PAGE_PERMISSIONS.items() if root_page is not None else ():
        page_model_name = page_model_label.split(".")[1]
        codenames = {page_model_label: [f"{action}_{page_model_name}" for action in actions]}
        for permission in find_permissions(apps, codenames):
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=root_page, permission=permission
            )

    root_collection = apps.get_model("wagtailcore", "Collection").objects.filter(depth=1).first()
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    for name, codenames_by_model in (
        COLLECTION_PERMISSIONS.items() if root_collection is not None else ()
    ):
        for permission in find_permissions(apps, codenames_by_model):
            GroupCollectionPermission.objects.get_or_create(
                group=groups[name], collection=root_collection, permission=permission
            )
    return groups


def remove_staff_roles(apps=global_apps):
    """Delete the staff groups (their page and collection permissions go with them)."""
    apps.get_model("auth", "Group").objects.filter(name__in=STAFF_ROLES).delete()


def find_permissions(apps, codenames_by_model):
    """The Permission rows for {"app_label.model": [codename, ...]}, skipping absent models."""
    Permission = apps.get_model("auth", "Permission")
    found = []
    for model_label, codenames in codenames_by_model.items():
        if not is_installed(apps, model_label):
            continue
        app_label, model_name = model_label.split(".")
        for codename in codenames:
            found.append(
                Permission.objects.get(
                    content_type__app_label=app_label,
                    content_type__model=model_name,
                    codename=codename,
                )
            )
    return found


def is_installed(apps, model_label):
    try:
        apps.get_model(model_label)
    except LookupError:
        return False
    return True


def ensure_permissions_exist(apps):
    # On a fresh database Django creates content types and permissions only after the last
    # migration (post_migrate), so a data migration creates the ones it needs itself.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        # create_permissions skips apps without a models module, which is every app of a
        # migration's historical registry.
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module
