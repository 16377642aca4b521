"""Pages of the orgs app: one ModelUI per model, and the detail-page tabs that link them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from chanjiao.core.attachments import AttachmentUse
from chanjiao.core.registry import DetailAction, ModelUI, register
from chanjiao.orgs import filters, forms, services, tables, views
from chanjiao.orgs.imports import (
    CommitteeMembershipImporter,
    ContactImporter,
    EnterpriseImporter,
    SchoolImporter,
    TeacherImporter,
)
from chanjiao.orgs.models import (
    Association,
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    Contact,
    Department,
    Enterprise,
    GuidanceCommittee,
    GuidanceMember,
    Institute,
    PillarIndustry,
    School,
    Teacher,
    VocationalGroup,
)

GROUP = _("单位与职教集团")
VOC_GROUP = _("职教集团")

# The organisation proxies share one table: each detail page lists only its own kind's fields.
_ORG_TAIL = ["region", "address", "website", "created_at", "updated_at"]

schools = register(ModelUI(School, filters.SchoolFilterSet, tables.SchoolTable, forms.SchoolForm,
                           menu_group=GROUP, icon="school", menu_order=100, importer=SchoolImporter,
                           detail_fields=["name", "short_name", "school_code", "school_level", "funding",
                                          "competent_authority", *_ORG_TAIL]))
enterprises = register(ModelUI(Enterprise, filters.EnterpriseFilterSet, tables.EnterpriseTable,
                               forms.EnterpriseForm, menu_group=GROUP, icon="building", menu_order=110,
                               importer=EnterpriseImporter,
                               detail_fields=["name", "short_name", "uscc", "industry", "size", "ownership",
                                              "headcount", "headcount_date", "is_leading", "established",
                                              "integration_status", *_ORG_TAIL]))
departments = register(ModelUI(Department, filters.DepartmentFilterSet, tables.DepartmentTable,
                               forms.DepartmentForm, menu_group=GROUP, icon="building-bank", menu_order=120,
                               detail_fields=["name", "short_name", "is_industry_authority", *_ORG_TAIL]))
associations = register(ModelUI(Association, filters.AssociationFilterSet, tables.AssociationTable,
                                forms.AssociationForm, menu_group=GROUP, icon="building-community",
                                menu_order=125,
                                detail_fields=["name", "short_name", "uscc", "industry", *_ORG_TAIL]))
institutes = register(ModelUI(Institute, filters.InstituteFilterSet, tables.InstituteTable, forms.InstituteForm,
                              menu_group=GROUP, icon="microscope", menu_order=128,
                              detail_fields=["name", "short_name", "uscc", "industry", *_ORG_TAIL]))
contacts = register(ModelUI(Contact, filters.ContactFilterSet, tables.ContactTable, forms.ContactForm,
                            menu_group=GROUP, icon="address-book", menu_order=130, importer=ContactImporter,
                            # The phone is shown in its own tab, masked per viewer (see ContactTable).
                            detail_fields=["organisation", "name", "title", "email", "is_primary", "note",
                                           "created_at", "updated_at"]))
teachers = register(ModelUI(Teacher, filters.TeacherFilterSet, tables.TeacherTable, forms.TeacherForm,
                            menu_group=GROUP, icon="user-star", menu_order=140, importer=TeacherImporter))

groups = register(ModelUI(VocationalGroup, filters.VocationalGroupFilterSet, tables.VocationalGroupTable,
                          forms.VocationalGroupForm, menu_group=VOC_GROUP, icon="sitemap", menu_order=200))
terms = register(ModelUI(BoardTerm, filters.BoardTermFilterSet, tables.BoardTermTable, forms.BoardTermForm,
                         menu_group=VOC_GROUP, icon="calendar-event", menu_order=210))
seats = register(ModelUI(BoardSeat, filters.BoardSeatFilterSet, tables.BoardSeatTable, forms.BoardSeatForm,
                         menu_group=VOC_GROUP, icon="armchair", menu_order=220))
pillars = register(ModelUI(PillarIndustry, filters.PillarIndustryFilterSet, tables.PillarIndustryTable,
                           forms.PillarIndustryForm, menu_group=VOC_GROUP, icon="building-factory",
                           menu_order=230))
committees = register(ModelUI(Committee, filters.CommitteeFilterSet, tables.CommitteeTable, forms.CommitteeForm,
                              menu_group=VOC_GROUP, icon="users-group", menu_order=240))
committee_memberships = register(ModelUI(CommitteeMembership, filters.CommitteeMembershipFilterSet,
                                         tables.CommitteeMembershipTable, forms.CommitteeMembershipForm,
                                         menu_group=VOC_GROUP, icon="user-plus", menu_order=250,
                                         importer=CommitteeMembershipImporter))
guidance_committees = register(ModelUI(GuidanceCommittee, filters.GuidanceCommitteeFilterSet,
                                       tables.GuidanceCommitteeTable, forms.GuidanceCommitteeForm,
                                       menu_group=VOC_GROUP, icon="school-bell", menu_order=260))
guidance_members = register(ModelUI(GuidanceMember, filters.GuidanceMemberFilterSet, tables.GuidanceMemberTable,
                                    forms.GuidanceMemberForm, menu_group=VOC_GROUP, icon="user-check",
                                    menu_order=270))

# Not registered (no pages of their own): tables used inside detail-page tabs.
_timeline = ModelUI(Enterprise, filters.EnterpriseFilterSet, tables.TimelineTable)


def _timeline_rows(obj: Any, user: Any) -> list[services.TimelineEntry]:
    return services.enterprise_timeline(obj, user)


def _by_org(model: Any, field: str = "organisation") -> Any:
    return lambda obj, user: model.objects.visible_to(user).filter(**{field: obj.pk})


_org_tabs = [
    (_("联系人"), _by_org(Contact), contacts),
    (_("产学合作委员会"), _by_org(CommitteeMembership), committee_memberships),
    (_("专业教学指导委员会委员"), _by_org(GuidanceMember), guidance_members),
    (_("理事会席位"), _by_org(BoardSeat), seats),
]

# No audit card: the change history is its own page (变更历史, shown only to whoever may read it —
# ``core.models.history_rule``), readable there rather than as raw JSON beside the record.
enterprises.related = [(_("合作时间线"), _timeline_rows, _timeline), *_org_tabs]
schools.related = [
    (_("教师"), _by_org(Teacher, "school"), teachers),
    (_("专业教学指导委员会"), _by_org(GuidanceCommittee, "school"), guidance_committees),
    *_org_tabs,
]
departments.related = [(_("主任单位"), _by_org(Committee, "director"), committees), *_org_tabs]
associations.related = list(_org_tabs)
institutes.related = list(_org_tabs)
contacts.related = [(_("联系方式"), lambda obj, user: Contact.objects.visible_to(user).filter(pk=obj.pk), contacts)]
groups.related = [
    (_("理事会届次"), _by_org(BoardTerm, "group"), terms),
    (_("百亿产业"), _by_org(PillarIndustry, "group"), pillars),
    (_("产学合作委员会"), _by_org(Committee, "group"), committees),
]
terms.related = [(_("理事会席位"), _by_org(BoardSeat, "term"), seats)]
pillars.related = [(_("产学合作委员会"), _by_org(Committee, "pillar"), committees)]
committees.related = [
    (_("成员单位（含历史）"), _by_org(CommitteeMembership, "committee"), committee_memberships),
    (_("专业教学指导委员会"), _by_org(GuidanceCommittee, "committee"), guidance_committees),
]
guidance_committees.related = [(_("委员（含历史）"), _by_org(GuidanceMember, "committee"), guidance_members)]

# Documents (core/attachments.py): licences are read by the organisation's editors and the global readers only.
_other_docs = AttachmentUse("document", _("其他证明材料"), ("pdf", "docx", "xlsx", "jpg", "png"), "editors")
enterprises.attachments = [AttachmentUse("business_licence", _("营业执照"), readers="editors"), _other_docs]
schools.attachments = [AttachmentUse("school_licence", _("办学许可证"), readers="editors"), _other_docs]

enterprises.actions = [DetailAction(_("合并重复企业"), "orgs:enterprise_merge", "arrows-join",
                                    allowed=lambda user, obj: views.may_merge(user))]

# Names of related rows shown in the lists read one level further (a term names its group, a
# guidance committee its school): joined here so a list page costs the same for 5 rows or 100.
seats.list_select_related = ("term__group", "contact")
guidance_members.list_select_related = ("committee__school",)
