"""Pages of the matching cycle: one ModelUI per model, and the tabs that link them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chanjiao.core.attachments import AttachmentUse
from chanjiao.core.registry import ModelUI, Tab, register
from chanjiao.engagement import filters, forms, imports, org_filters, tables  # noqa: F401 (org_filters attaches)
from chanjiao.engagement.models import (
    Agreement,
    Alliance,
    AnnualPlan,
    Event,
    EventParticipation,
    OrderClass,
    PlannedActivity,
    TeacherPractice,
    Visit,
)
from chanjiao.orgs import ui as orgs_ui

GROUP = _("校企对接")

events = register(ModelUI(Event, filters.EventFilterSet, tables.EventTable, forms.EventForm, menu_group=GROUP,
                          importer=imports.EventImporter,
                          icon="calendar-event", menu_order=300, list_select_related=("committee",),
                          detail_template="engagement/event_detail.html",  # + the five 一 of a symposium
                          list_template="engagement/event_list.html"))  # + the month calendar beside the list
participations = register(ModelUI(EventParticipation, filters.EventParticipationFilterSet,
                                  tables.EventParticipationTable, forms.EventParticipationForm, menu_group=GROUP,
                                  importer=imports.EventParticipationImporter,
                                  icon="users-group", menu_order=305,
                                  list_select_related=("event", "organisation")))
agreements = register(ModelUI(Agreement, filters.AgreementFilterSet, tables.AgreementTable, forms.AgreementForm,
                              importer=imports.AgreementImporter,
                              menu_group=GROUP, icon="file-certificate", menu_order=310,
                              list_select_related=("committee",)))
alliances = register(ModelUI(Alliance, filters.AllianceFilterSet, tables.AllianceTable, forms.AllianceForm,
                             menu_group=GROUP, icon="affiliate", menu_order=320,
                             list_select_related=("lead_school", "founding_event")))
visits = register(ModelUI(Visit, filters.VisitFilterSet, tables.VisitTable, forms.VisitForm, menu_group=GROUP,
                          importer=imports.VisitImporter,
                          icon="walk", menu_order=330, list_select_related=("school", "enterprise")))

plans = register(ModelUI(AnnualPlan, filters.AnnualPlanFilterSet, tables.AnnualPlanTable, forms.AnnualPlanForm,
                         menu_group=GROUP, icon="calendar-stats", menu_order=290, list_select_related=("group",),
                         detail_template="engagement/plan_detail.html"))  # + planned vs held per committee
activities = register(ModelUI(PlannedActivity, filters.PlannedActivityFilterSet, tables.PlannedActivityTable,
                              forms.PlannedActivityForm, menu_group=GROUP, icon="list-check", menu_order=295,
                              list_select_related=("plan", "committee", "department")))
practices = register(ModelUI(TeacherPractice, filters.TeacherPracticeFilterSet, tables.TeacherPracticeTable,
                             forms.TeacherPracticeForm, importer=imports.TeacherPracticeImporter,
                             menu_group=GROUP, icon="briefcase", menu_order=340,
                             list_select_related=("teacher__school", "enterprise"), totals=("counted_days",)))
order_classes = register(ModelUI(OrderClass, filters.OrderClassFilterSet, tables.OrderClassTable,
                                 forms.OrderClassForm, importer=imports.OrderClassImporter,
                                 menu_group=GROUP, icon="users", menu_order=350,
                                 list_select_related=("school", "enterprise", "major"),
                                 totals=("planned", "enrolled")))

plans.tabs = [Tab(_("计划活动"), activities, via="plan")]
plans.attachments = [AttachmentUse("notice_file", _("联合通知文件"), ("pdf", "docx", "jpg", "png"))]
activities.tabs = [Tab(_("落实的活动"), events, via="planned_activity")]
practices.attachments = [AttachmentUse("evidence", _("实践证明材料"), ("pdf", "docx", "jpg", "png"), "editors")]
events.tabs = [
    Tab(_("参与单位"), participations, via="event"),
    Tab(_("签署的协议"), agreements, via="signing_event"),
    Tab(_("成立的联盟"), alliances, via="founding_event"),
]
agreements.tabs = [Tab(_("续签协议"), agreements, via="predecessor"),
                   Tab(_("订单班"), order_classes, via="agreement")]
# The signed scan is the agreement's evidence (LAW-01): read by its parties' editors and the bureau.
agreements.attachments = [AttachmentUse("signed_scan", _("协议签署扫描件"), ("pdf", "jpg", "png"), "editors")]
events.attachments = [AttachmentUse("event_file", _("活动材料"), ("pdf", "docx", "xlsx", "jpg", "png"))]
orgs_ui.committees.tabs = [*orgs_ui.committees.tabs, Tab(_("校企对接活动"), events, via="committee")]
orgs_ui.schools.tabs = [*orgs_ui.schools.tabs, Tab(_("合作协议"), agreements, via="schools"),
                        Tab(_("牵头的专业发展联盟"), alliances, via="lead_school"),
                        Tab(_("走访企业"), visits, via="school"),
                        Tab(_("订单班"), order_classes, via="school")]
orgs_ui.enterprises.tabs = [*orgs_ui.enterprises.tabs, Tab(_("合作协议"), agreements, via="enterprises"),
                            Tab(_("参加的活动"), participations, via="organisation"),
                            Tab(_("学校走访"), visits, via="enterprise"),
                            Tab(_("接收教师实践"), practices, via="enterprise"),
                            Tab(_("订单班"), order_classes, via="enterprise")]
orgs_ui.teachers.tabs = [*orgs_ui.teachers.tabs, Tab(_("企业实践"), practices, via="teacher")]
