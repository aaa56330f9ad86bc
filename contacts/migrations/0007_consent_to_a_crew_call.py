from django.db import migrations, models

PURPOSES = [
    ("status_updates", "Status updates about this request"),
    ("department_questions", "A question from the department about this request"),
    ("permit_decision", "The decision on this permit application"),
    ("crew_call", "A phone call from the crew sent to fix this request"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0006_merge_20261201_1349"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consent",
            name="purpose",
            field=models.CharField(choices=PURPOSES, max_length=30, verbose_name="purpose"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="purpose",
            field=models.CharField(choices=PURPOSES, max_length=30, verbose_name="purpose"),
        ),
    ]
