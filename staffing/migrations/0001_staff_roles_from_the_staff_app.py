# The StaffRole model moves here from the staff pages' app ("staff"); its table, staff_staffrole, stays as it
# is, so this only tells Django's model state where the model now lives.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('requests_app', '0007_photo_source'),
        ('routing', '0003_routing_engine'),
        ('staff', '0002_crew_role_and_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StaffRole',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('manager', 'Department manager'), ('operator', 'Operator'), ('crew', 'Field crew')], max_length=10, verbose_name='role')),
                        ('department', models.ForeignKey(blank=True, help_text='Required for a manager or a crew; empty for an operator', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='routing.department', verbose_name='department')),
                        ('jurisdiction', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='requests_app.jurisdiction', verbose_name='jurisdiction')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_roles', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'staff role',
                        'verbose_name_plural': 'staff roles',
                        'db_table': 'staff_staffrole',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('department__isnull', False), ('role__in', ['manager', 'crew'])), models.Q(('department__isnull', True), ('role', 'operator')), _connector='OR'), name='staffrole_department_matches_role'), models.UniqueConstraint(fields=('user', 'role', 'jurisdiction', 'department'), name='unique_staff_role')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
