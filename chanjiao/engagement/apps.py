from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "chanjiao.engagement"
    label = "engagement"
    verbose_name = _("校企对接")

    def ready(self) -> None:
        from chanjiao.engagement import (
            rules,  # noqa: F401  (registers the engagement rules)
            timeline,  # noqa: F401  (its sources on the enterprise's 合作时间线)
        )
        from chanjiao.orgs.cooperation import Link, register

        # Partners are visible to the bureau of each party school's city (issue #8 point 0).
        register(Link("engagement.Agreement_enterprises", "organisation_id", "agreement__schools__region__code"))
        register(Link("engagement.EventParticipation", "organisation_id", "event__committee__group__region__code"))
        register(Link("engagement.Alliance_members", "organisation_id", "alliance__lead_school__region__code"))
        register(Link("engagement.Visit", "enterprise_id", "school__region__code"))
        # A teacher's host enterprise and an order class's enterprise: partners of the school's city.
        register(Link("engagement.TeacherPractice", "enterprise_id", "teacher__school__region__code"))
        register(Link("engagement.OrderClass", "enterprise_id", "school__region__code"))
