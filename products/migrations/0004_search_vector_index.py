from django.db import migrations

INDEX_NAME = "products_search_title_body_gin"


def create_index(apps, schema_editor):
    # Search on PostgreSQL matches `title || body` of Wagtail's search index entries; Wagtail
    # indexes each column alone, so without this every search reads the whole table.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} "
            "ON wagtailsearch_indexentry USING GIN ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0003_listing_sort_indexes"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
