"""List tables of the matching cycle; each links to its detail page."""

from __future__ import annotations

import django_tables2 as tables

from chanjiao.core.tables import BaseTable
from chanjiao.engagement.models import Agreement, Alliance, Event, EventParticipation, Visit


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
