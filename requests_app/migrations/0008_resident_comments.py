import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0007_street_centrelines"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResidentComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(validators=[django.core.validators.MaxLengthValidator(4000)], verbose_name="text")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="added")),
                ("service_request", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="resident_comments", to="requests_app.servicerequest", verbose_name="service request")),
            ],
            options={
                "verbose_name": "comment from the requester",
                "verbose_name_plural": "comments from the requester",
                "ordering": ["created_at", "id"],
            },
        ),
    ]
