"""Pages of the major layout: one ModelUI per model, and the tabs that link them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chanjiao.core.attachments import AttachmentUse
from chanjiao.core.registry import ModelUI, Tab, register
from chanjiao.core.roles import Role
from chanjiao.layout import filters, forms, imports, tables
from chanjiao.layout.models import (
    ConflictDeclaration,
    CrosswalkEntry,
    CrosswalkVersion,
    Decision,
    DeclaredDemand,
    Expert,
    ExpertAssignment,
    JobPosting,
    Offering,
    OfferingYear,
    PolicyTarget,
    ReviewRound,
    RubricCriterion,
    Scenario,
    ScenarioChange,
    SchoolPolicy,
    Score,
    Submission,
    SubmissionItem,
)
from chanjiao.orgs import ui as orgs_ui

GROUP = _("专业布局")
REVIEW = _("专业评审")

offerings = register(ModelUI(Offering, filters.OfferingFilterSet, tables.OfferingTable, forms.OfferingForm,
                             importer=imports.OfferingImporter, menu_group=GROUP, icon="school", menu_order=400,
                             list_select_related=("school", "major")))
offering_years = register(ModelUI(OfferingYear, filters.OfferingYearFilterSet, tables.OfferingYearTable,
                                  forms.OfferingYearForm, importer=imports.OfferingYearImporter, menu_group=GROUP,
                                  icon="chart-bar", menu_order=410,
                                  list_select_related=("offering__school", "offering__major"),
                                  totals=("enrolled", "students", "graduates", "employed", "employed_related")))
rounds = register(ModelUI(ReviewRound, filters.ReviewRoundFilterSet, tables.ReviewRoundTable, forms.ReviewRoundForm,
                          menu_group=REVIEW, icon="gavel", menu_order=420, list_select_related=("region",)))
criteria = register(ModelUI(RubricCriterion, filters.RubricCriterionFilterSet, tables.RubricCriterionTable,
                            forms.RubricCriterionForm, menu_group=REVIEW, icon="list-numbers", menu_order=425,
                            list_select_related=("round",)))
submissions = register(ModelUI(Submission, filters.SubmissionFilterSet, tables.SubmissionTable, forms.SubmissionForm,
                               menu_group=REVIEW, icon="presentation", menu_order=430,
                               list_select_related=("round", "school"),
                               detail_template="layout/submission_detail.html"))  # + the evidence beside it
items = register(ModelUI(SubmissionItem, filters.SubmissionItemFilterSet, tables.SubmissionItemTable,
                         forms.SubmissionItemForm, menu_group=REVIEW, icon="list-details", menu_order=435,
                         list_select_related=("submission__round", "submission__school", "offering__major",
                                              "offering__school", "new_major")))
experts = register(ModelUI(Expert, filters.ExpertFilterSet, tables.ExpertTable, forms.ExpertForm, menu_group=REVIEW,
                           icon="user-star", menu_order=440, list_select_related=("organisation", "region")))
conflicts = register(ModelUI(ConflictDeclaration, filters.ConflictDeclarationFilterSet,
                             tables.ConflictDeclarationTable, forms.ConflictDeclarationForm, menu_group=REVIEW,
                             icon="user-x", menu_order=445, list_select_related=("expert", "organisation")))
assignments = register(ModelUI(ExpertAssignment, filters.ExpertAssignmentFilterSet, tables.ExpertAssignmentTable,
                               forms.ExpertAssignmentForm, menu_group=REVIEW, icon="user-check", menu_order=450,
                               list_select_related=("submission__round", "submission__school", "expert")))
scores = register(ModelUI(Score, filters.ScoreFilterSet, tables.ScoreTable, forms.ScoreForm, menu_group=REVIEW,
                          icon="star", menu_order=455,
                          list_select_related=("item__submission__school", "item__offering__major", "item__new_major",
                                               "assignment__expert", "assignment__submission__school", "criterion")))
# The bureau's list; a school reads the decisions on its majors through its submission's items.
decisions = register(ModelUI(Decision, filters.DecisionFilterSet, tables.DecisionTable, forms.DecisionForm,
                             menu_group=REVIEW, icon="checkbox", menu_order=460,
                             menu_roles=frozenset({Role.BUREAU_ADMIN, Role.SECRETARIAT, Role.LEADER}),
                             list_select_related=("item__submission__school", "item__offering__major",
                                                  "item__new_major")))

crosswalks = register(ModelUI(CrosswalkVersion, filters.CrosswalkVersionFilterSet, tables.CrosswalkVersionTable,
                              forms.CrosswalkVersionForm, menu_group=GROUP, icon="arrows-exchange", menu_order=470,
                              list_select_related=("region",)))
crosswalk_entries = register(ModelUI(CrosswalkEntry, filters.CrosswalkEntryFilterSet, tables.CrosswalkEntryTable,
                                     forms.CrosswalkEntryForm, importer=imports.CrosswalkEntryImporter,
                                     menu_group=GROUP, icon="list-tree", menu_order=475,
                                     list_select_related=("version", "major", "industry", "occupation")))
demand = register(ModelUI(DeclaredDemand, filters.DeclaredDemandFilterSet, tables.DeclaredDemandTable,
                          forms.DeclaredDemandForm, importer=imports.DeclaredDemandImporter, menu_group=GROUP,
                          icon="briefcase", menu_order=480,
                          list_select_related=("enterprise", "occupation", "committee"), totals=("headcount",)))
postings = register(ModelUI(JobPosting, filters.JobPostingFilterSet, tables.JobPostingTable, forms.JobPostingForm,
                            importer=imports.JobPostingImporter, menu_group=GROUP, icon="speakerphone",
                            menu_order=485, list_select_related=("region", "enterprise", "occupation"),
                            medians=("salary_min", "salary_max"),
                            detail_template="layout/posting_detail.html"))  # + the deciding words

scenarios = register(ModelUI(Scenario, filters.ScenarioFilterSet, tables.ScenarioTable, forms.ScenarioForm,
                             menu_group=GROUP, icon="chart-arrows", menu_order=490,
                             list_select_related=("region", "round"),
                             detail_template="layout/scenario_detail.html"))  # + the effect, and → a round
scenario_changes = register(ModelUI(ScenarioChange, filters.ScenarioChangeFilterSet, tables.ScenarioChangeTable,
                                    forms.ScenarioChangeForm, menu_group=GROUP, icon="switch-horizontal",
                                    menu_order=495, list_select_related=("scenario", "offering__school",
                                                                         "offering__major", "school", "major")))
policies = register(ModelUI(SchoolPolicy, filters.SchoolPolicyFilterSet, tables.SchoolPolicyTable,
                            forms.SchoolPolicyForm, menu_group=GROUP, icon="target", menu_order=500,
                            list_select_related=("school",), detail_template="layout/policy_detail.html"))
policy_targets = register(ModelUI(PolicyTarget, filters.PolicyTargetFilterSet, tables.PolicyTargetTable,
                                  forms.PolicyTargetForm, menu_group=GROUP, icon="checklist", menu_order=505,
                                  list_select_related=("policy__school", "major")))

scenarios.tabs = [Tab(_("调整项"), scenario_changes, via="scenario")]
policies.tabs = [Tab(_("目标"), policy_targets, via="policy")]
crosswalks.tabs = [Tab(_("对照条目"), crosswalk_entries, via="version")]
orgs_ui.enterprises.tabs = [*orgs_ui.enterprises.tabs, Tab(_("用人需求"), demand, via="enterprise")]
orgs_ui.enterprises.tabs = [*orgs_ui.enterprises.tabs, Tab(_("招聘岗位"), postings, via="enterprise")]
orgs_ui.committees.tabs = [*orgs_ui.committees.tabs, Tab(_("收集的用人需求"), demand, via="committee")]
offerings.tabs = [Tab(_("年度数据"), offering_years, via="offering"),
                  Tab(_("答辩评审记录"), items, via="offering")]
rounds.tabs = [Tab(_("评分标准"), criteria, via="round"), Tab(_("学校申报"), submissions, via="round")]
submissions.tabs = [Tab(_("答辩专业"), items, via="submission"),
                    Tab(_("评审专家"), assignments, via="submission")]
submissions.attachments = [AttachmentUse("defence_file", _("答辩材料"), ("pdf", "docx", "xlsx"))]
items.tabs = [Tab(_("评分"), scores, via="item"), Tab(_("评审决定"), decisions, via="item")]
items.attachments = [AttachmentUse("analysis", _("分析报告"), ("pdf", "docx", "xlsx"))]
experts.tabs = [Tab(_("回避申报"), conflicts, via="expert"), Tab(_("评审分配"), assignments, via="expert")]
assignments.tabs = [Tab(_("评分"), scores, via="assignment")]
orgs_ui.schools.tabs = [*orgs_ui.schools.tabs, Tab(_("专业点"), offerings, via="school"),
                        Tab(_("专业答辩申报"), submissions, via="school"),
                        Tab(_("一校一策"), policies, via="school")]
