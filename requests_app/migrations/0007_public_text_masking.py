"""Public text stored beside the original: existing descriptions, answers and public notes are masked here."""
import django.contrib.postgres.fields
from django.db import migrations, models

CHINA_ZONES = ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau")


def regions_of(jurisdiction) -> list[str]:
    if jurisdiction.slug.endswith(".cn") or jurisdiction.timezone in CHINA_ZONES:
        return ["CN", "HK"]
    if jurisdiction.timezone.startswith("America/") or jurisdiction.slug.endswith((".gov", ".us", ".org")):
        return ["US"]
    return []


def mask_existing_text(apps, schema_editor):
    from requests_app.public_text import masking_for

    Jurisdiction = apps.get_model("requests_app", "Jurisdiction")
    ServiceRequest = apps.get_model("requests_app", "ServiceRequest")
    StatusChange = apps.get_model("requests_app", "StatusChange")
    for jurisdiction in Jurisdiction.objects.all():
        if not jurisdiction.regions:
            jurisdiction.regions = regions_of(jurisdiction)
            jurisdiction.save(update_fields=["regions"])
        masking = masking_for(jurisdiction)
        batch = []
        for sr in (ServiceRequest.objects.filter(jurisdiction=jurisdiction)
                   .only("id", "description", "answers").iterator(chunk_size=2000)):
            sr.public_description = masking.text(sr.description)
            sr.public_answers = masking.answers(sr.answers or {})
            batch.append(sr)
            if len(batch) >= 2000:
                ServiceRequest.objects.bulk_update(batch, ["public_description", "public_answers"])
                batch = []
        ServiceRequest.objects.bulk_update(batch, ["public_description", "public_answers"])
        notes = []
        for change in (StatusChange.objects.filter(service_request__jurisdiction=jurisdiction).exclude(public_note="")
                       .only("id", "public_note").iterator(chunk_size=2000)):
            masked = masking.text(change.public_note)
            if masked != change.public_note:
                change.public_note = masked
                notes.append(change)
        StatusChange.objects.bulk_update(notes, ["public_note"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0006_routing_open_location_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="jurisdiction",
            name="regions",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=2), blank=True, default=list,
                help_text="ISO country codes whose phone numbers, ID numbers and licence plates residents write, "
                          "e.g. US or CN, HK",
                size=None, verbose_name="regions served"),
        ),
        migrations.AddField(
            model_name="jurisdiction",
            name="published_contacts",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=254), blank=True, default=list,
                help_text="The city's own phone numbers and email addresses, kept in public text "
                          "(e.g. 311, 415-701-2311, 12345)",
                size=None, verbose_name="published numbers and emails"),
        ),
        migrations.AddField(
            model_name="servicerequest",
            name="public_description",
            field=models.TextField(blank=True, verbose_name="public description"),
        ),
        migrations.AddField(
            model_name="servicerequest",
            name="public_answers",
            field=models.JSONField(blank=True, default=dict, verbose_name="public answers"),
        ),
        migrations.RunPython(mask_existing_text, migrations.RunPython.noop),
    ]
