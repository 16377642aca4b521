"""The orgs models, one module per part (issue #7 gap 7: no module over ~500 lines).

``chanjiao.orgs.models.<Name>`` stays the path apps, tests and migrations import (migration 0001
names ``GroupPublicMixin``, ``SchoolOwnedMixin`` and ``EndOnlyMixin`` through it): every public
name is re-exported here.
"""

from chanjiao.orgs.models.group import (
    SEAT_ORDER,
    BoardSeat,
    BoardTerm,
    Committee,
    GroupPublicMixin,
    PillarIndustry,
    SeatRole,
    VocationalGroup,
)
from chanjiao.orgs.models.memberships import (
    CommitteeMembership,
    CommitteeRole,
    EndOnlyMixin,
    GuidanceCommittee,
    GuidanceMember,
    GuidanceRole,
    MembershipQuerySet,
)
from chanjiao.orgs.models.organisations import (
    INTEGRATION_WORKFLOW,
    Association,
    Department,
    Enterprise,
    EnterpriseSize,
    Institute,
    IntegrationStatus,
    KindManager,
    Organisation,
    OrgKind,
    Ownership,
    School,
    SchoolFunding,
    SchoolLevel,
)
from chanjiao.orgs.models.people import PEOPLE_OWNER_ROLES, Contact, SchoolOwnedMixin, Teacher, TeacherCategory

__all__ = [
    "INTEGRATION_WORKFLOW", "PEOPLE_OWNER_ROLES", "SEAT_ORDER", "Association", "BoardSeat", "BoardTerm", "Committee",
    "CommitteeMembership", "CommitteeRole", "Contact", "Department", "EndOnlyMixin", "Enterprise", "EnterpriseSize",
    "GroupPublicMixin", "GuidanceCommittee", "GuidanceMember", "GuidanceRole", "Institute", "IntegrationStatus",
    "KindManager", "MembershipQuerySet", "OrgKind", "Organisation", "Ownership", "PillarIndustry", "School",
    "SchoolFunding", "SchoolLevel", "SchoolOwnedMixin", "SeatRole", "Teacher", "TeacherCategory", "VocationalGroup",
]
