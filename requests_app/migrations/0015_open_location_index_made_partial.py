# PostGIS's schema editor builds a GiST index on one geometry field its own way and drops the condition:
# sr_open_location (0006) was made over every request, closed ones too, so the duplicate search during routing
# read the whole table's index and then intersected it with the service-type index. Made partial here, as the
# model declares it: open requests only, a small index the duplicate search reads alone.

from django.db import migrations

OPEN = "('acknowledged', 'in_progress', 'on_hold', 'reopened', 'submitted')"


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0014_list_and_update_feed_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "DROP INDEX IF EXISTS sr_open_location",
                f"CREATE INDEX sr_open_location ON requests_app_servicerequest USING gist (location) "
                f"WHERE status IN {OPEN}",
            ],
            [
                "DROP INDEX IF EXISTS sr_open_location",
                "CREATE INDEX sr_open_location ON requests_app_servicerequest USING gist (location)",
            ],
        ),
    ]
