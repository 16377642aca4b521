"""The matching cycle's world: a group with two committees and a committee leader (tests/engagement/).

``world.committee`` is directed by ``world.department`` (vice-director ``world.school_a``); the
``committee_leader`` persona leads for that department, so it files and edits the events of
``world.committee`` and only reads those of ``world.other_committee`` (directed by ``world.department_b``).
``world.event`` / ``world.other_event`` are one event of each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chanjiao.accounts.models import Membership
from chanjiao.core.roles import Role
from chanjiao.engagement.models import Event
from chanjiao.orgs.models import Committee, PillarIndustry, VocationalGroup
from tests import factories


@pytest.fixture(autouse=True)
def engagement_world(world: Any) -> Any:
    world.major = factories.MajorFactory(code="460103", name="数控技术")
    world.group = VocationalGroup.objects.create(name="甲市职业教育集团", secretariat=world.department_b,
                                                 lead_school=world.school_a, founded=dt.date(2013, 6, 28))
    pillar = PillarIndustry.objects.create(group=world.group, name="智能制造", order=10)
    world.committee = Committee.objects.create(group=world.group, pillar=pillar, name="智能制造产学合作委员会",
                                               director=world.department, vice_director=world.school_a)
    world.other_committee = Committee.objects.create(group=world.group, pillar=pillar,
                                                     name="现代农业产学合作委员会", director=world.department_b,
                                                     vice_director=world.school_b)
    leader = factories.UserFactory(username="committee_leader", full_name="committee_leader姓名")
    Membership.objects.create(user=leader, role=Role.COMMITTEE_LEADER, organisation=world.department)
    world.users["committee_leader"] = leader
    # Events the create forms name (made here: a refused create must write nothing, not even these).
    world.event = Event.objects.create(kind="symposium", title="2024年校企合作座谈会", date=dt.date(2024, 5, 20),
                                       committee=world.committee)
    world.other_event = Event.objects.create(kind="tour", title="现代农业职业校企行", date=dt.date(2024, 6, 3),
                                             committee=world.other_committee)
    return world
