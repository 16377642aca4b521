"""List tables of the matching cycle; each links to its detail page."""

from __future__ import annotations

import django_tables2 as tables

from chanjiao.core.tables import BaseTable
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


class EventTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Event
        fields = ("date", "title", "kind", "committee", "place")


class EventParticipationTable(BaseTable):
    organisation = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = EventParticipation
        fields = ("event", "organisation", "invited", "attended", "attendees")


class AgreementTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Agreement
        fields = ("title", "kind", "status", "signed_on", "start", "end", "committee")


class VisitTable(BaseTable):
    purpose = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Visit
        fields = ("date", "school", "enterprise", "purpose", "follow_up_by")


class AllianceTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Alliance
        fields = ("name", "lead_school", "founded", "founding_event")


class AnnualPlanTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = AnnualPlan
        fields = ("year", "title", "number", "issued_on", "group")


class PlannedActivityTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = PlannedActivity
        fields = ("month", "title", "kind", "committee", "department", "target_enterprises", "target_agreements")


class TeacherPracticeTable(BaseTable):
    teacher = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = TeacherPractice
        fields = ("teacher", "enterprise", "start", "end", "days", "counted_days", "form", "appraisal")


class OrderClassTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = OrderClass
        fields = ("cohort_year", "name", "school", "enterprise", "major", "planned", "enrolled", "hired")
