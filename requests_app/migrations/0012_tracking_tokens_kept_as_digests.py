"""Keep only a digest of every tracking token; a request with a live contact keeps its token encrypted there.

Irreversible: the plain tokens of requests without a contact are gone once digested, so there is nothing to put
back (migrating backwards stops with IrreversibleError rather than leave every link dead).
"""
import hashlib

from django.db import migrations, models

import requests_app.public_ids

BATCH = 1000


def _digest(token: str) -> str:
    # requests_app.public_ids.secret_digest as it is today: a migration must not change if that helper does.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def digest_tokens(apps, schema_editor):
    ServiceRequest = apps.get_model("requests_app", "ServiceRequest")
    Contact = apps.get_model("contacts", "Contact")
    last_pk = 0
    while True:
        batch = list(ServiceRequest.objects.filter(pk__gt=last_pk).order_by("pk")
                     .values_list("pk", "tracking_token")[:BATCH])
        if not batch:
            return
        last_pk = batch[-1][0]
        tokens = dict(batch)
        ServiceRequest.objects.bulk_update(
            [ServiceRequest(pk=pk, tracking_token_digest=_digest(token)) for pk, token in batch],
            ["tracking_token_digest"])
        # Erased contacts stay empty: erasing them already ended every message that could carry the link.
        contacts = list(Contact.objects.filter(service_request_id__in=tokens, erased_at__isnull=True)
                        .only("pk", "service_request_id"))
        for contact in contacts:
            contact.tracking_token = tokens[contact.service_request_id]  # encrypted by the field on save
        Contact.objects.bulk_update(contacts, ["tracking_token"])


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0011_join_resident_comments'),
        ('contacts', '0007_contact_tracking_token'),
    ]

    operations = [
        migrations.AddField(
            model_name='servicerequest',
            name='tracking_token_digest',
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(digest_tokens, elidable=False),
        migrations.RemoveField(
            model_name='servicerequest',
            name='tracking_token',
        ),
        migrations.AlterField(
            model_name='servicerequest',
            name='tracking_token_digest',
            field=models.CharField(default=requests_app.public_ids.unissued_token_digest, editable=False,
                                   max_length=64, unique=True),
        ),
    ]
