from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "chanjiao.orgs"
    label = "orgs"
    verbose_name = _("单位与职教集团")

    def ready(self) -> None:
        from chanjiao.orgs import rules  # noqa: F401  (registers the organisation rules)
