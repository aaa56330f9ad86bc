# The HistoryScope model moves here from the staff pages' app ("staff"): which department a history entry belongs
# to is domain data. Its table, staff_historyscope, stays as it is, so this only tells Django's model state where
# the model now lives.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0007_photo_source'),
        ('routing', '0003_routing_engine'),
        ('staff', '0003_staff_roles_move_to_staffing'),
        ('staffing', '0001_staff_roles_from_the_staff_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoryScope',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('note', 'Note'), ('status', 'Status'), ('assign', 'Assignment'), ('priority', 'Priority'), ('service_type', 'Service type'), ('transfer', 'Transfer'), ('merge', 'Merge'), ('hold', 'Hold'), ('permit', 'Permit step')], max_length=20, verbose_name='kind')),
                        ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='routing.department', verbose_name='department')),
                        ('status_change', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='scope', to='requests_app.statuschange', verbose_name='history entry')),
                        ('to_department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='routing.department', verbose_name='transferred to')),
                    ],
                    options={
                        'verbose_name': 'history scope',
                        'verbose_name_plural': 'history scopes',
                        'db_table': 'staff_historyscope',
                        'indexes': [models.Index(fields=['to_department', 'kind'], name='historyscope_to_kind')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
