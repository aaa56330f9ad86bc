# Two migrations written side by side (a crew-call setting and the learned routing model) joined; nothing changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0007_department_crew_may_call'),
        ('routing', '0007_learned_routing_model'),
    ]

    operations = [
    ]
