"""Pages of the orgs app: one ModelUI per model, and the detail-page tabs that link them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chanjiao.core.attachments import AttachmentUse
from chanjiao.core.registry import DetailAction, ModelUI, Tab, TimelineTab, register
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

schools = register(ModelUI(School, filters.SchoolFilterSet, tables.SchoolTable, forms.SchoolForm,
                           menu_group=GROUP, icon="school", menu_order=100, importer=SchoolImporter))
enterprises = register(ModelUI(Enterprise, filters.EnterpriseFilterSet, tables.EnterpriseTable,
                               forms.EnterpriseForm, menu_group=GROUP, icon="building", menu_order=110,
                               importer=EnterpriseImporter))
departments = register(ModelUI(Department, filters.DepartmentFilterSet, tables.DepartmentTable,
                               forms.DepartmentForm, menu_group=GROUP, icon="building-bank", menu_order=120))
associations = register(ModelUI(Association, filters.AssociationFilterSet, tables.AssociationTable,
                                forms.AssociationForm, menu_group=GROUP, icon="building-community",
                                menu_order=125))
institutes = register(ModelUI(Institute, filters.InstituteFilterSet, tables.InstituteTable, forms.InstituteForm,
                              menu_group=GROUP, icon="microscope", menu_order=128))
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

# Not registered (no pages of their own): the table of the enterprise's timeline tab.
_timeline = ModelUI(Enterprise, filters.EnterpriseFilterSet, tables.TimelineTable)


def _org_tabs() -> list[Tab | TimelineTab]:
    return [
        Tab(_("联系人"), contacts, via="organisation"),
        Tab(_("产学合作委员会"), committee_memberships, via="organisation"),
        Tab(_("专业教学指导委员会委员"), guidance_members, via="organisation"),
        Tab(_("理事会席位"), seats, via="organisation"),
    ]


# No audit card: the change history is its own page (变更历史, shown only to whoever may read it —
# ``core.models.history_rule``), readable there rather than as raw JSON beside the record.
# Every source of the timeline reads through its model's visible_to(user) (services.timeline_sources).
enterprises.tabs = [TimelineTab(_("合作时间线"), _timeline, services.enterprise_timeline), *_org_tabs()]
schools.tabs = [
    Tab(_("教师"), teachers, via="school"),
    Tab(_("专业教学指导委员会"), guidance_committees, via="school"),
    *_org_tabs(),
]
departments.tabs = [Tab(_("主任单位"), committees, via="director"), *_org_tabs()]
associations.tabs = _org_tabs()
institutes.tabs = _org_tabs()
contacts.tabs = [Tab(_("联系方式"), contacts, via="pk")]  # the phone, masked per viewer (ContactTable)
groups.tabs = [
    Tab(_("理事会届次"), terms, via="group"),
    Tab(_("百亿产业"), pillars, via="group"),
    Tab(_("产学合作委员会"), committees, via="group"),
]
terms.tabs = [Tab(_("理事会席位"), seats, via="term")]
pillars.tabs = [Tab(_("产学合作委员会"), committees, via="pillar")]
committees.tabs = [
    Tab(_("成员单位（含历史）"), committee_memberships, via="committee"),
    Tab(_("专业教学指导委员会"), guidance_committees, via="committee"),
]
guidance_committees.tabs = [Tab(_("委员（含历史）"), guidance_members, via="committee")]

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
