# Issue #7 "Workflows": the 产教融合型企业 status gets its whole lifecycle (PE-02, PE-09):
# 未申报 → 已申报 → 培育库 → 产教融合型企业 → 已移出. Choices only: no data changes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organisation',
            name='integration_status',
            field=models.CharField(choices=[('none', '未申报'), ('applied', '已申报'), ('cultivating', '培育库'), ('certified', '产教融合型企业'), ('removed', '已移出')], default='none', max_length=12, verbose_name='产教融合型企业'),
        ),
    ]
