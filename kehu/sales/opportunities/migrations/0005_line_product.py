"""Opportunity lines point at their product with a foreign key (a plain id before). Ids of products that no
longer exist are dropped; the line keeps its product name."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef


def copy_product_ids(apps, schema_editor):
    Line = apps.get_model("opportunities", "OpportunityLine")
    Product = apps.get_model("products", "Product")
    existing = Exists(Product.objects.filter(pk=OuterRef("product_id")))
    Line.objects.filter(existing).update(product_ref_id=F("product_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0004_board_cards_index"),
        ("products", "0002_grant_product_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="opportunityline",
            name="product_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="opportunity_lines",
                to="products.product",
                verbose_name="product",
            ),
        ),
        migrations.RunPython(copy_product_ids, migrations.RunPython.noop),
        migrations.RemoveField(model_name="opportunityline", name="product_id"),
        migrations.RenameField(model_name="opportunityline", old_name="product_ref", new_name="product"),
    ]
