"""Forms of the matching cycle: parties and dates checked once (rules in engagement/rules.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.forms import ScopedModelForm
from chanjiao.core.models import for_labels
from chanjiao.engagement.models import (
    Agreement,
    Alliance,
    AnnualPlan,
    CooperationForm,
    Event,
    EventParticipation,
    OrderClass,
    PlannedActivity,
    TeacherPractice,
    Visit,
)
from chanjiao.engagement.services import duplicate_agreement


class EventForm(ScopedModelForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "date", "place", "committee", "co_hosts", "planned_activity", "policy_briefing",
                  "skills_show", "seminar", "outcome"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # A committee leader files events for the committees it runs (Event.committee_targets).
        committee = self.fields["committee"]
        assert isinstance(committee, forms.ModelChoiceField)
        committee.queryset = for_labels(Event.committee_targets(user))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        activity, committee = data.get("planned_activity"), data.get("committee")
        if activity is not None and committee is not None and activity.committee_id != committee.pk:
            self.add_error("planned_activity", _("所选计划活动属于%(c)s，与本活动的主办委员会不一致。")
                           % {"c": activity.committee})
        return data


class EventParticipationForm(ScopedModelForm):
    class Meta:
        model = EventParticipation
        fields = ["event", "organisation", "invited", "attended", "attendees", "people"]


# An agreement is between schools and enterprises: both sides are named (LAW-01, art. 40).
_PARTY_MISSING = {"schools": gettext_lazy("协议须至少有一所学校作为签约方。"),
                  "enterprises": gettext_lazy("协议须至少有一家企业作为签约方。")}


class AgreementForm(ScopedModelForm):
    forms = forms.MultipleChoiceField(label=Agreement._meta.get_field("forms").verbose_name,
                                      choices=CooperationForm.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=Agreement._meta.get_field("forms").help_text)

    class Meta:
        model = Agreement
        fields = ["number", "title", "kind", "schools", "enterprises", "committee", "majors", "forms",
                  "hosts_interns", "signed_on", "start", "end", "signing_event", "predecessor",
                  "expected_outcomes", "achieved_outcomes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forms"].widget.attrs.pop("class", None)  # checkboxes, not a select
        # Both sides are required fields: say which side is missing, not "这个字段是必填项".
        for name, message in _PARTY_MISSING.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, message in _PARTY_MISSING.items():
            if name in self.fields and not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if not self.errors:
            twin = duplicate_agreement(self.instance, data)
            if twin is not None:
                raise forms.ValidationError(_("已登记过相同的协议（同类型、同开始日期、同签约方）：%(title)s。")
                                            % {"title": twin})
        return data


class VisitForm(ScopedModelForm):
    class Meta:
        model = Visit
        fields = ["school", "enterprise", "date", "visitors", "purpose", "outcome", "follow_up", "follow_up_by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        school = data.get("school")
        strangers = [t for t in data.get("visitors") or () if school is not None and t.school_id != school.pk]
        if strangers:
            names = "、".join(t.name for t in strangers)
            self.add_error("visitors", _("走访教师须为本校教师：%(names)s。") % {"names": names})
        return data


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = ["name", "lead_school", "founding_event", "founded", "members", "majors", "description"]


class AnnualPlanForm(ScopedModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["group", "year", "number", "title", "issued_on", "issuers", "summary"]


class PlannedActivityForm(ScopedModelForm):
    class Meta:
        model = PlannedActivity
        fields = ["plan", "committee", "department", "kind", "title", "month", "host", "target_enterprises",
                  "target_agreements"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # A committee leader edits its committees' activities but writes no plan (only the global writers do),
        # so the owner field's narrowing (plans one may edit) would offer it none and refuse every save: it
        # keeps the activity's own plan, and moves the activity only among the committees it runs.
        plan, committee = self.fields["plan"], self.fields["committee"]
        assert isinstance(plan, forms.ModelChoiceField) and isinstance(committee, forms.ModelChoiceField)
        if self.instance.plan_id is not None:
            own = AnnualPlan.objects.visible_to(user).filter(pk=self.instance.plan_id)
            plan.queryset = for_labels(AnnualPlan.objects.editable_by(user) | own)
        committee.queryset = for_labels(Event.committee_targets(user))


class TeacherPracticeForm(ScopedModelForm):
    class Meta:
        model = TeacherPractice
        fields = ["teacher", "enterprise", "start", "end", "form", "content", "pre_service", "appraisal",
                  "appraisal_note"]


class OrderClassForm(ScopedModelForm):
    class Meta:
        model = OrderClass
        fields = ["school", "enterprise", "major", "cohort_year", "name", "planned", "enrolled", "agreement",
                  "mentors", "graduates", "hired", "retained"]

