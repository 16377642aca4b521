from typing import Any

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    """Partner recommendations with reasons (issue #11 point 5): services and pages, no models. It reads every
    app below it and nothing imports it: its buttons on the other apps' detail pages are added from here."""

    name = "chanjiao.matching"
    label = "matching"
    verbose_name = "伙伴推荐"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from chanjiao.core.registry import DetailAction
        from chanjiao.layout import ui as layout_ui
        from chanjiao.matching.services import may_match_for
        from chanjiao.orgs import ui as orgs_ui

        def for_offering(user: Any, offering: Any) -> bool:
            return offering.major_id is not None and may_match_for(user, offering.school_id)

        def for_item(user: Any, item: Any) -> bool:
            # An item without an offering or a new major (a merger note) has no major to match on.
            if item.offering_id is not None:
                return item.offering.major_id is not None and may_match_for(user, item.offering.school_id)
            return item.new_major_id is not None and may_match_for(user, item.submission.school_id)

        layout_ui.offerings.actions = [*layout_ui.offerings.actions, DetailAction(
            _("推荐合作企业"), "matching:offering_enterprises", "affiliate",
            allowed=for_offering)]
        layout_ui.items.actions = [*layout_ui.items.actions, DetailAction(
            _("推荐合作企业"), "matching:item_enterprises", "affiliate", allowed=for_item)]
        orgs_ui.enterprises.actions = [*orgs_ui.enterprises.actions, DetailAction(
            _("推荐对口专业点"), "matching:enterprise_offerings", "affiliate",
            allowed=lambda user, firm: may_match_for(user, firm.pk))]
