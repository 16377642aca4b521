from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chanjiao.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from chanjiao.core import signals  # noqa: F401  (security events)
        from chanjiao.core.aggregates import register_sqlite_median

        connection_created.connect(register_sqlite_median, dispatch_uid="chanjiao-sqlite-median")
