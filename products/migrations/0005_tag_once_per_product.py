from django.db import migrations, models
from django.db.models import Min


def drop_repeated_tags(apps, schema_editor):
    """Keep the first of any product's repeated tags (the same tag twice says nothing more)."""
    ProductPageTag = apps.get_model("products", "ProductPageTag")
    first_of_each = (
        ProductPageTag.objects.values("content_object", "tag").annotate(first=Min("id"))
    )
    keep = [row["first"] for row in first_of_each]
    ProductPageTag.objects.exclude(id__in=keep).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0004_search_vector_index"),
    ]

    operations = [
        migrations.RunPython(drop_repeated_tags, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="productpagetag",
            constraint=models.UniqueConstraint(
                fields=("content_object", "tag"), name="products_tag_once_per_product"
            ),
        ),
    ]
