# Two migrations written side by side (the crew-call consent and the contact's tracking-token copy) joined.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0007_consent_to_a_crew_call'),
        ('contacts', '0007_contact_tracking_token'),
    ]

    operations = [
    ]
