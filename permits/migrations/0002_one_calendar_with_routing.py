# Permit decision clocks now count in the city's one calendar: routing settings' holiday country and region,
# plus its city holidays. What a city had set only for permits is carried over before the table goes.
from django.db import migrations


def carry_over_permit_holidays(apps, schema_editor):
    PermitSettings = apps.get_model("permits", "PermitSettings")
    RoutingSettings = apps.get_model("routing", "RoutingSettings")
    CityHoliday = apps.get_model("routing", "CityHoliday")
    for permit_settings in PermitSettings.objects.all():
        routing_settings = RoutingSettings.objects.filter(jurisdiction_id=permit_settings.jurisdiction_id).first()
        # Where routing names a country already, that calendar was the one every other clock counted in.
        if routing_settings is not None and not routing_settings.holiday_country:
            routing_settings.holiday_country = permit_settings.holiday_country
            routing_settings.holiday_subdivision = permit_settings.holiday_subdivision
            routing_settings.save(update_fields=["holiday_country", "holiday_subdivision"])
        for day in permit_settings.city_holidays:
            CityHoliday.objects.get_or_create(jurisdiction_id=permit_settings.jurisdiction_id, day=day,
                                              defaults={"name": "City holiday"})


class Migration(migrations.Migration):

    dependencies = [
        ('permits', '0001_permit_applications'),
        ('routing', '0006_rule_set_new_service_types'),
    ]

    operations = [
        migrations.RunPython(carry_over_permit_holidays, migrations.RunPython.noop),
        migrations.DeleteModel(name='PermitSettings'),
    ]
