"""Create the Marketers, Support and Fulfilment groups (see home/shared/roles.py)."""

from django.db import migrations


def create_staff_roles(apps, schema_editor):
    from home.shared.roles import create_staff_roles

    create_staff_roles(apps)


def remove_staff_roles(apps, schema_editor):
    from home.shared.roles import remove_staff_roles

    remove_staff_roles(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("home", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        # Every model a role is granted must be created before this runs.
        ("commerce", "0005_order_status_permission"),
        ("support", "0001_contact_inquiries_and_contact_page"),
    ]

    operations = [
        migrations.RunPython(create_staff_roles, remove_staff_roles),
    ]
