from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("routing", "0006_rule_set_new_service_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="crew_may_call",
            field=models.BooleanField(
                default=False,
                help_text="A crew member assigned a request may see the requester's phone number, on a tap that is "
                          "logged, if the requester agreed to a call from the crew.",
                verbose_name="crews may call requesters"),
        ),
    ]
