from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayoutConfig(AppConfig):
    name = "chanjiao.layout"
    label = "layout"
    verbose_name = _("专业布局")

    def ready(self) -> None:
        from chanjiao.layout import (
            rules,  # noqa: F401  (registers the layout rules)
            services,  # noqa: F401  (applying a decision moves its offering: a status_changed receiver)
        )
