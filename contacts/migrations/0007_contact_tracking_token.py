from django.db import migrations

import contacts.fields


class Migration(migrations.Migration):
    """The request's private link, encrypted beside the contact, so messages can carry it once requests keep only
    its digest (requests_app 0012 fills it for existing contacts)."""

    dependencies = [
        ('contacts', '0006_merge_20261201_1349'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='tracking_token',
            field=contacts.fields.EncryptedTextField(blank=True, verbose_name='private link'),
        ),
    ]
