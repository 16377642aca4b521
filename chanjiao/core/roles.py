"""The platform's fixed roles. Scopes are code, not rows: each role has a fixed meaning."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("教育局管理员")
    SECRETARIAT = "secretariat", _("职教集团秘书处")
    COMMITTEE_LEADER = "committee_leader", _("产学合作委员会负责人")
    SCHOOL_ADMIN = "school_admin", _("学校管理员")
    ENTERPRISE_CONTACT = "enterprise_contact", _("企业联系人")
    INDUSTRY_AUTHORITY = "industry_authority", _("行业主管部门")
    EXPERT = "expert", _("评审专家")
    LEADER = "leader", _("领导（只读）")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# Roles that read every business record of the city / group.
GLOBAL_READERS = frozenset({Role.BUREAU_ADMIN, Role.SECRETARIAT, Role.LEADER})
# Roles that write every business record.
GLOBAL_WRITERS = frozenset({Role.BUREAU_ADMIN, Role.SECRETARIAT})
# 等保 三权分立: these administer the system, never business data (AC-07).
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that are held within an organisation (a membership names it).
ORG_ROLES = frozenset(
    {Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT, Role.INDUSTRY_AUTHORITY, Role.COMMITTEE_LEADER}
)
