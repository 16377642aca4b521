from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "chanjiao.engagement"
    label = "engagement"
    verbose_name = _("校企对接")

    def ready(self) -> None:
        from chanjiao.engagement import rules  # noqa: F401  (registers the engagement rules)
        from chanjiao.orgs.cooperation import Link, register

        # Partners are visible to the bureau of each party school's city (issue #8 point 0).
        register(Link("engagement.Agreement_enterprises", "organisation_id", "agreement__schools__region__code"))
        register(Link("engagement.EventParticipation", "organisation_id", "event__committee__group__region__code"))
        register(Link("engagement.Alliance_members", "organisation_id", "alliance__lead_school__region__code"))
        register(Link("engagement.Visit", "enterprise_id", "school__region__code"))
