from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayoutConfig(AppConfig):
    name = "chanjiao.layout"
    label = "layout"
    verbose_name = _("专业布局")

    def ready(self) -> None:
        from chanjiao.layout import (
            demand_figures,  # noqa: F401  (declares the postings' figures: the API and the tests list them)
            rules,  # noqa: F401  (registers the layout rules)
            services,  # noqa: F401  (applying a decision moves its offering: a status_changed receiver)
        )
