import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from home.shared.roles import (
    COLLECTION_PERMISSIONS,
    FULFILMENT,
    MARKETERS,
    MODEL_PERMISSIONS,
    PAGE_PERMISSIONS,
    STAFF_ROLES,
    SUPPORT,
    create_staff_roles,
    is_installed,
    remove_staff_roles,
)

pytestmark = pytest.mark.django_db


def granted(group):
    """Everything a group holds, as comparable tuples."""
    return (
        {(p.content_type.app_label, p.codename) for p in group.permissions.all()},
        {(gpp.page_id, gpp.permission.codename) for gpp in group.page_permissions.all()},
        {
            (gcp.collection_id, gcp.permission.codename)
            for gcp in group.collection_permissions.all()
        },
    )


def model_grants():
    for role, codenames_by_model in MODEL_PERMISSIONS.items():
        for model_label, codenames in codenames_by_model.items():
            marks = []
            if not is_installed(apps, model_label):
                marks = [pytest.mark.skip(reason=f"{model_label} is not installed yet")]
            yield pytest.param(role, model_label, codenames, marks=marks,
                               id=f"{role}-{model_label}")


@pytest.mark.parametrize(("role", "model_label", "codenames"), list(model_grants()))
def test_the_migration_gave_each_role_its_model_permissions(role, model_label, codenames):
    app_label, model_name = model_label.split(".")
    group = Group.objects.get(name=role)

    held = set(
        group.permissions.filter(
            content_type__app_label=app_label, content_type__model=model_name
        ).values_list("codename", flat=True)
    )

    assert held == set(codenames)


def test_the_migration_gave_marketers_the_whole_page_tree_and_every_collection():
    marketers = Group.objects.get(name=MARKETERS)
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()

    page_codenames = set(
        GroupPagePermission.objects.filter(group=marketers, page=root_page)
        .values_list("permission__codename", flat=True)
    )
    collection_codenames = set(
        GroupCollectionPermission.objects.filter(group=marketers, collection=root_collection)
        .values_list("permission__codename", flat=True)
    )

    assert page_codenames == {f"{action}_page" for action in PAGE_PERMISSIONS[MARKETERS]}
    assert collection_codenames == {
        codename for codenames in COLLECTION_PERMISSIONS[MARKETERS].values()
        for codename in codenames
    }


def test_only_marketers_touch_pages_and_media():
    others = Group.objects.filter(name__in=[SUPPORT, FULFILMENT])

    assert not GroupPagePermission.objects.filter(group__in=others).exists()
    assert not GroupCollectionPermission.objects.filter(group__in=others).exists()


def test_creating_the_roles_again_changes_nothing():
    before = {group.name: granted(group) for group in Group.objects.filter(name__in=STAFF_ROLES)}

    groups = create_staff_roles()

    assert set(groups) == set(STAFF_ROLES)
    assert {name: granted(group) for name, group in groups.items()} == before
    assert Group.objects.filter(name__in=STAFF_ROLES).count() == len(STAFF_ROLES)


def test_creating_the_roles_again_keeps_what_an_administrator_granted():
    support = Group.objects.get(name=SUPPORT)
    extra = Permission.objects.get(content_type__app_label="commerce", codename="change_customer")
    support.permissions.add(extra)

    create_staff_roles()

    assert support.permissions.filter(pk=extra.pk).exists()


def test_undoing_the_migration_removes_the_roles_and_their_grants():
    remove_staff_roles()

    assert not Group.objects.filter(name__in=STAFF_ROLES).exists()
    assert not GroupPagePermission.objects.filter(group__name__in=STAFF_ROLES).exists()

    create_staff_roles()
    assert Group.objects.filter(name__in=STAFF_ROLES).count() == len(STAFF_ROLES)
