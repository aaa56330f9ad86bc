# Routers keep each city's routing configuration in memory and read only RoutingSettings.config_version per batch.
# The database raises the version on any write to what routing reads, so no path (a service, the admin, a data
# import, a shell) can leave a router deciding on stale rules, teams, hours, targets or models.

from django.db import migrations, models

# Everything Context.load reads. Team members are not here: the assigner reads them in each batch.
CONFIG_TABLES = [
    "requests_app_jurisdiction",
    "requests_app_servicetype",
    "routing_department",
    "routing_team",
    "routing_arealayer",
    "routing_area",
    "routing_ruleset",
    "routing_routingrule",
    "routing_cityholiday",
    "routing_slatarget",
    "routing_duplicatewindow",
    "routing_textclassifier",
    "routing_routingmodel",
]

FORWARD = [
    """
    CREATE FUNCTION routing_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Rare writes (configuration), so every city's version goes up rather than working out whose changed.
        UPDATE routing_routingsettings SET config_version = config_version + 1;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION routing_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.config_version = OLD.config_version AND NEW IS DISTINCT FROM OLD THEN
            NEW.config_version := OLD.config_version + 1;
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER routing_settings_version BEFORE UPDATE ON routing_routingsettings
    FOR EACH ROW EXECUTE FUNCTION routing_settings_changed()
    """,
    *(
        f"CREATE TRIGGER routing_config_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION routing_config_changed()"
        for table in CONFIG_TABLES
    ),
]

BACKWARD = [
    *(f"DROP TRIGGER routing_config_version ON {table}" for table in CONFIG_TABLES),
    "DROP TRIGGER routing_settings_version ON routing_routingsettings",
    "DROP FUNCTION routing_settings_changed()",
    "DROP FUNCTION routing_config_changed()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0001_initial"),
        ("routing", "0008_crew_call_setting_beside_learned_model"),
    ]

    operations = [
        migrations.AddField(
            model_name="routingsettings",
            name="config_version",
            field=models.PositiveBigIntegerField(default=1, editable=False, verbose_name="configuration version"),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
