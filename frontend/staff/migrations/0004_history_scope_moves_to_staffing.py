# HistoryScope now lives in the staffing app (staffing/migrations/0002); the table stays. The model leaves this
# app's state only, and its content type follows it so granted admin permissions keep working.
from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="staffing", model="historyscope").exists():
        ContentType.objects.filter(app_label="staff", model="historyscope").update(app_label="staffing")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="staff", model="historyscope").exists():
        ContentType.objects.filter(app_label="staffing", model="historyscope").update(app_label="staff")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('staff', '0003_staff_roles_move_to_staffing'),
        ('staffing', '0002_history_scope_from_the_staff_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='HistoryScope')],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
