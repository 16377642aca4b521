# ImportJob becomes Job (issue #7 "Jobs"): the table is renamed, so existing jobs keep their ids and their
# StatusChange rows (Django renames the content type of a RenameModel with it); existing rows are imports.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_rules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel('ImportJob', 'Job'),
        migrations.AlterModelOptions(
            name='job',
            options={'ordering': ['-created_at', '-id'], 'verbose_name': '任务', 'verbose_name_plural': '任务'},
        ),
        migrations.AddField(
            model_name='job',
            name='kind',
            field=models.CharField(choices=[('import', '导入'), ('export', '导出'), ('report', '报表'), ('scan', '检查')], db_index=True, default='import', max_length=10, verbose_name='任务类型'),
        ),
        migrations.AddField(
            model_name='job',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='任务参数'),
        ),
        migrations.AddField(
            model_name='job',
            name='result_file',
            field=models.CharField(blank=True, max_length=300, verbose_name='结果文件'),
        ),
        migrations.AddField(
            model_name='job',
            name='result_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='结果文件名'),
        ),
        migrations.AddField(
            model_name='job',
            name='result_size',
            field=models.BigIntegerField(default=0, verbose_name='结果文件大小'),
        ),
        migrations.AddField(
            model_name='job',
            name='title',
            field=models.CharField(blank=True, max_length=200, verbose_name='任务名称'),
        ),
        migrations.AlterField(
            model_name='job',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='创建时间'),
        ),
        migrations.AlterField(
            model_name='job',
            name='file_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='文件名'),
        ),
        migrations.AlterField(
            model_name='job',
            name='importer_path',
            field=models.CharField(blank=True, max_length=200, verbose_name='导入器'),
        ),
        migrations.AlterField(
            model_name='job',
            name='model_label',
            field=models.CharField(blank=True, max_length=100, verbose_name='数据类型'),
        ),
        migrations.AlterField(
            model_name='job',
            name='status',
            field=models.CharField(choices=[('queued', '排队中'), ('running', '运行中'), ('validating', '校验中'), ('validated', '待确认'), ('committing', '导入中'), ('succeeded', '已完成'), ('failed', '失败'), ('rejected', '已拒绝'), ('cancelled', '已取消')], db_index=True, default='queued', max_length=12, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='job',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人'),
        ),
    ]
