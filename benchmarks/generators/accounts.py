"""Users and their role grants: a bureau per unit (and the province's), a secretariat and a leader per
group, a school admin per school, enterprise contacts, industry authorities, committee leaders,
experts and the three system administrators (三权分立). Every account has the same password
(``PASSWORD``) hashed once with a fixed salt, so the rows stay byte-identical between runs.
"""

from __future__ import annotations

from typing import Any

from benchmarks.generators import Context, at, completer, timed
from benchmarks.generators.audit import USER_AGENTS, Actor, EventLog

PASSWORD = "Bench@2026-chanjiao"


class AccountGenerator:
    def __init__(self, ctx: Context, log: EventLog) -> None:
        from django.contrib.auth.hashers import make_password

        self.ctx, self.log = ctx, log
        self.rng = ctx.rng("accounts")
        self.password = make_password(PASSWORD, salt="chanjiaobench2026")
        self.users: list[dict[str, Any]] = []
        self.memberships: list[dict[str, Any]] = []
        self.next_user = ctx.next_id("accounts_user")
        self.next_membership = ctx.next_id("accounts_membership")
        self.actors: dict[Any, Actor] = {}
        self.user_actors: list[tuple[Actor, str]] = []

    def rid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def user(self, username: str, full_name: str, role: str, org: int | None, day: float,
             key: Any = None, by: Any = ("sysadmin",), source: str = "web", jurisdiction: int | None = None) -> None:
        from chanjiao.accounts.models import Membership, User
        from chanjiao.core.roles import Role

        uid = self.next_user
        self.next_user += 1
        when = at(day)
        phone = self.rng.choice(["139", "158", "186", "135"]) + f"{self.rng.randrange(10**8):08d}"
        row = completer(User)({
            "id": uid, "password": self.password, "last_login": None, "is_superuser": False, "username": username,
            "first_name": "", "last_name": "", "email": f"{username}@example.cn", "is_staff": False,
            "is_active": True, "date_joined": when, "full_name": full_name, "phone": phone,
            "must_change_password": False, "password_changed_at": when})
        self.users.append(row)
        self.log.create(User, row, full_name or username, by, source, self.rid())
        actor = Actor(uid, username, role, f"10.{42 + uid // 65536 % 200}.{uid // 256 % 256}.{uid % 256}",
                      USER_AGENTS[uid % len(USER_AGENTS)])
        self.user_actors.append((actor, full_name or username))
        if key is not None:
            self.actors[key] = actor
        granted = at(day + 1 / 1440)
        membership = completer(Membership)({
            "id": self.next_membership, "created_at": granted, "updated_at": granted, "user_id": uid, "role": role,
            "organisation_id": org, "active": True, "granted_by_id": self.granted_by, "jurisdiction_id": jurisdiction})
        self.next_membership += 1
        self.memberships.append(membership)
        org_name = f" @ {self.ctx.shared['org_info'][org][0]}" if org else ""
        self.log.create(Membership, membership, f"{full_name or username} · {Role(role).label}{org_name}",
                        ("secadmin",), "web", self.rid())

    def run(self) -> None:
        s = self.ctx.shared
        info, units = s["org_info"], s["units"]
        system = Actor(None, "", "", None, "")
        self.actors[("system",)] = system
        self.granted_by: int | None = None
        # The three administrators first (manage.py create_admin), then everyone else.
        self.user("gen_sysadmin", "系统管理员", "system_admin", None, 0.0, ("sysadmin",), ("system",),
                  "command:create_admin")
        self.user("gen_secadmin", "安全管理员", "security_admin", None, 0.0, ("secadmin",), ("system",),
                  "command:create_admin")
        self.granted_by = self.actors[("secadmin",)].id
        self.user("gen_auditor", "审计管理员", "audit_admin", None, 0.0, ("auditor",), ("system",),
                  "command:create_admin")
        # Issue #8 point 0: every bureau-level grant reaches its own jurisdiction — the province's
        # 教育厅 the whole of Hubei, each city's bureau, secretariat and leader their city.
        province = s["province_region_id"]
        self.user("bureau_42", "湖北省教育厅职成处", "bureau_admin", s["province_bureau"], 0.05, ("province",),
                  jurisdiction=province)
        self.user("leader_42", "分管副省长", "leader", None, 0.06, jurisdiction=province)
        for u, unit in enumerate(units):
            self.user(f"bureau_{unit.code}", f"{unit.short}教育局职教科", "bureau_admin", s["bureaus"][u],
                      0.1 + u * 0.01, ("bureau", u), jurisdiction=unit.region_id)
            self.user(f"secretariat_{unit.code}", f"{unit.short}职教集团秘书处", "secretariat", s["bureaus"][u],
                      0.1 + u * 0.01 + 0.001, jurisdiction=unit.region_id)
            self.user(f"leader_{unit.code}", f"{unit.short}分管副市长", "leader", None, 0.1 + u * 0.01 + 0.002,
                      jurisdiction=unit.region_id)
            if len(unit.code) == 4:  # COUNTY_BUREAUS
                code, name, region = unit.counties[-1]
                self.user(f"bureau_{code}", f"{name}教育局", "bureau_admin", None, 0.1 + u * 0.01 + 0.003,
                          jurisdiction=region)
            for short, org in s["authorities"][u].items():
                if info[org][1] == "department" and short not in ("教育局", "发改委"):
                    self.user(f"authority_{org}", f"{info[org][0]}联络员", "industry_authority", org,
                              1.0 + u * 0.01)
        for sid, _level in [x for unit in s["schools_by_unit"] for x in unit]:
            name, _kind, _u, day = info[sid]
            self.user(f"school_{sid}", f"{name}管理员", "school_admin", sid, day + 0.01, ("school", sid))
        for cid, _unit, director in s["committees"]:
            self.user(f"committee_{cid}", f"{info[director][0]}委员会联络人", "committee_leader", director,
                      12 + 48 * self.rng.random())
        firms = [e for unit in s["enterprises_by_unit"] for e in unit]
        count = self.ctx.sizes["accounts.membership:enterprise_contact"]
        chosen = sorted(self.rng.sample(firms, count) if len(firms) >= count else self.rng.choices(firms, k=count))
        for k, oid in enumerate(chosen):
            name, _kind, _u, day = info[oid]
            self.user(f"ent_{oid}" if k == 0 or chosen[k - 1] != oid else f"ent_{oid}_{k}", f"{name}人事专员",
                      "enterprise_contact", oid, min(364.0, day + 1 + 60 * self.rng.random()))
        for k in range(self.ctx.sizes["accounts.membership:expert"]):
            self.user(f"expert_{k + 1:04d}", f"评审专家{k + 1:04d}", "expert", None, 20 + 180 * self.rng.random())
        from chanjiao.accounts.models import Membership, User

        self.ctx.copy(User, self.users)
        self.ctx.copy(Membership, self.memberships)
        s["actors"], s["user_actors"] = self.actors, self.user_actors


def generate(ctx: Context, log: EventLog) -> None:
    with timed(ctx, "accounts: plan"):
        gen = AccountGenerator(ctx, log)
    gen.run()
