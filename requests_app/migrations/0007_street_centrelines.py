import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0006_routing_open_location_index"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="StreetSegment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("name_translations", models.JSONField(blank=True, default=dict, help_text='For example {"zh-hans": "坑洞"}', verbose_name="name in other languages")),
                ("left_from", models.PositiveIntegerField(blank=True, null=True, verbose_name="left side, first number")),
                ("left_to", models.PositiveIntegerField(blank=True, null=True, verbose_name="left side, last number")),
                ("right_from", models.PositiveIntegerField(blank=True, null=True, verbose_name="right side, first number")),
                ("right_to", models.PositiveIntegerField(blank=True, null=True, verbose_name="right side, last number")),
                ("centreline", django.contrib.gis.db.models.fields.LineStringField(srid=4326, verbose_name="centreline")),
                ("jurisdiction", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="street_segments", to="requests_app.jurisdiction", verbose_name="jurisdiction")),
            ],
            options={
                "verbose_name": "street segment",
                "verbose_name_plural": "street segments",
                "indexes": [django.contrib.postgres.indexes.GistIndex(fields=["centreline"], name="streetsegment_centreline"),
                            django.contrib.postgres.indexes.GinIndex(fields=["name"], name="streetsegment_name_trgm", opclasses=["gin_trgm_ops"])],
            },
        ),
    ]
