"""The demo city: 宜昌 (real region and industry codes, fictional schools and enterprises).

``plan.py`` holds what the city is made of (codes, names, pillars); this module builds it. Everything is
generated from a fixed random seed, so the same plan comes out every run; each step
creates only what is missing (natural keys), so running ``manage.py demo`` twice changes nothing.
All demo organisations carry ``is_demo=True``; school and enterprise names start with "宜昌示范".
The data keeps the platform's own rules: each enterprise is generated from one of its pillar industry's
GB/T 4754 小类 (``TRADES``) with a name word for that activity, sits in a county of 宜昌, has a headcount
that fits its size; 双师型 teachers have enterprise experience; every row passes its model's ``full_clean()``.
The matching cycle 2017–2020 on top of it (plans, events, agreements, visits, practice, order classes) is
``engagement.py``; at the default size (1,600 enterprises and teachers) its 2019 records give the seed's figures.
The major layout (offerings, yearly figures, experts, the review rounds of 2017 and 2019: 149 → 49 majors) is
``layout.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from stdnum.cn import uscc

from chanjiao.accounts.models import Membership, User
from chanjiao.catalog.models import Industry, Major, Region
from chanjiao.core import audit
from chanjiao.core.roles import GLOBAL_READERS, Role
from chanjiao.core.text import pinyin_initials
from chanjiao.demo.plan import (
    BUREAU,
    CITY_CODE,
    COMMITTEE_FOUNDED,
    COUNTIES,
    DEFAULT_ENTERPRISES,
    DEFAULT_TEACHERS,
    DEMO_PASSWORD,
    DEPARTMENTS,
    DUAL_MIN_ENTERPRISE_YEARS,
    GENERAL_SUBJECTS,
    GIVEN,
    HEADCOUNT,
    HIGHER,
    MIN_TEACHERS_PER_SCHOOL,
    NAME_WORDS,
    PILLARS,
    ROLE_TITLES,
    SECONDARY,
    SEED,
    SURNAMES,
    TEACHER_CATEGORY_SHARES,
    TEACHER_WEIGHTS,
    TERM_1,
    TERM_2_START,
    TRADES,
    URBAN,
    Pillar,
)
from chanjiao.orgs import services
from chanjiao.orgs.models import (
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    CommitteeRole,
    Contact,
    EnterpriseSize,
    GuidanceCommittee,
    GuidanceMember,
    GuidanceRole,
    Organisation,
    OrgKind,
    Ownership,
    PillarIndustry,
    SchoolFunding,
    SchoolLevel,
    SeatRole,
    Teacher,
    VocationalGroup,
)

# The names the demo command, its tests and the benchmarks import from here (the plan moved to plan.py).
__all__ = ["COUNTIES", "DEFAULT_ENTERPRISES", "DEFAULT_TEACHERS", "DEMO_PASSWORD", "DUAL_MIN_ENTERPRISE_YEARS",
           "HEADCOUNT", "NAME_WORDS", "PILLARS", "TRADES", "City", "Summary", "build_city", "default_teachers"]

@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, label: str, n: int) -> None:
        self.created[label] = self.created.get(label, 0) + n


def _bulk_missing(model: type[models.Model], rows: Iterable[models.Model], key: Callable[[Any], Hashable],
                  existing: Iterable[Hashable], summary: Summary) -> int:
    """Insert the rows whose natural key is not there yet, with one audit event per row."""
    seen = set(existing)
    new = []
    for row in rows:
        k = key(row)
        if k not in seen:
            seen.add(k)
            new.append(row)
    if new:
        # PostgreSQL and SQLite ≥ 3.35 return primary keys, which the audit events need.
        with audit.bulk_write("demo city: events by record_bulk below"):
            model.objects.bulk_create(new, batch_size=500)
        audit.record_bulk("create", new)
    summary.add(str(model._meta.verbose_name), len(new))
    return len(new)


def default_teachers(enterprises: int) -> int:
    """Teachers in proportion to the enterprises (1,600 with 1,600), at least four per school."""
    schools = len(HIGHER) + len(SECONDARY)
    return max(MIN_TEACHERS_PER_SCHOOL * schools, round(DEFAULT_TEACHERS * enterprises / DEFAULT_ENTERPRISES))


class City:
    """Builds the demo city step by step; each step is idempotent."""

    def __init__(self, enterprises: int = DEFAULT_ENTERPRISES, teachers: int | None = None) -> None:
        self.rng = random.Random(SEED)
        self.enterprise_count = enterprises
        self.teacher_count = default_teachers(enterprises) if teachers is None else teachers
        self.summary = Summary()
        self.regions = {r.code: r for r in Region.objects.filter(code__startswith="4205")}
        wanted = {c for p in PILLARS for c in p.codes} | {c for trades in TRADES.values() for c in trades}
        self.industries = {i.code: i for i in Industry.objects.filter(code__in=wanted)}
        if not self.regions or not self.industries:
            self.summary.warnings.append(
                "标准代码表未载入（或缺少宜昌行政区划/行业代码）：单位将不关联区县或行业。"
                "请先运行 manage.py load_catalogs。")

    # ------------------------------------------------------------------------------ helpers
    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def mobile(self) -> str:
        return self.rng.choice(["139", "158", "186", "177", "135", "152"]) + f"{self.rng.randrange(10**8):08d}"

    def region(self, code: str) -> Region | None:
        return self.regions.get(code)

    def trade(self, pillar: Pillar) -> tuple[Industry | None, str]:
        """One of the pillar's trades: its 小类 (None without the catalog) and a name word that fits it."""
        code = self.rng.choice(sorted(TRADES[pillar.name]))
        return self.industries.get(code), self.rng.choice(TRADES[pillar.name][code])

    def _org(self, kind: str, name: str, **fields: Any) -> Organisation:
        org = Organisation.objects.filter(kind=kind, name=name).first()
        if org is None:
            org = Organisation.objects.create(kind=kind, name=name, is_demo=True, **fields)
            self.summary.add("单位", 1)
        return org

    # -------------------------------------------------------------------------------- steps
    def build(self) -> Summary:
        with transaction.atomic():
            self.departments()
            self.schools()
            self.group()
            self.enterprises()
            self.board()
            self.committees()
            self.people()
            self.guidance()
            self.users()
            self.integration()
            self.engagement()
            self.layout()
            self.postings()
        return self.summary

    def departments(self) -> None:
        self.depts: dict[str, Organisation] = {}
        for name, short, authority in DEPARTMENTS:
            self.depts[short] = self._org(OrgKind.DEPARTMENT, name, short_name=short,
                                          is_industry_authority=authority, region=self.region(CITY_CODE))
        self.bureau = self.depts["市教育局"]

    def schools(self) -> None:
        self.higher: list[Organisation] = []
        self.secondary: list[tuple[Organisation, int | None]] = []
        for i, (name, county, _pillars) in enumerate(HIGHER, start=1):
            self.higher.append(self._org(
                OrgKind.SCHOOL, name, school_code=f"99420500{i:02d}", school_level=SchoolLevel.ASSOCIATE,
                funding=SchoolFunding.PUBLIC, competent_authority="宜昌市人民政府", region=self.region(county)))
        for i, (name, county, pillar) in enumerate(SECONDARY, start=1):
            self.secondary.append((self._org(
                OrgKind.SCHOOL, name, school_code=f"99420501{i:02d}", school_level=SchoolLevel.SECONDARY,
                funding=SchoolFunding.PUBLIC, competent_authority=BUREAU, region=self.region(county)), pillar))

    def group(self) -> None:
        self.vgroup, created = VocationalGroup.objects.get_or_create(
            name="宜昌示范职业教育集团",
            defaults={"short_name": "示范职教集团", "founded": TERM_1[0], "approved_by": "宜昌市人民政府",
                      "secretariat": self.bureau, "lead_school": self.higher[0], "region": self.region(CITY_CODE),
                      "description": "依托宜昌示范职业技术学院，联合全市中高职院校、行业主管部门和行业企业组建"
                                     "（演示数据）。"})
        self.summary.add("职教集团", int(created))
        self.pillars: list[PillarIndustry] = []
        for order, p in enumerate(PILLARS, start=1):
            pillar, created = PillarIndustry.objects.get_or_create(group=self.vgroup, name=p.name,
                                                                   defaults={"order": order})
            self.summary.add("百亿产业", int(created))
            if created:
                pillar.industries.set([self.industries[c] for c in p.codes if c in self.industries])
            self.pillars.append(pillar)

    def enterprises(self) -> None:
        counties = list(COUNTIES)
        plan: list[Organisation] = []
        names: set[str] = set()
        self.by_pillar: dict[int, list[str]] = {i: [] for i in range(len(PILLARS))}
        for n in range(self.enterprise_count):
            idx = n % len(PILLARS)
            p = PILLARS[idx]
            leading = n < 2 * len(PILLARS)  # the first two per pillar are its 龙头企业
            industry, trade = self.trade(p)
            while True:
                place = self.rng.choice(NAME_WORDS) + self.rng.choice(NAME_WORDS)[0]
                name = f"宜昌示范{place}{trade}{'集团' if leading else ''}有限公司"
                if name not in names:
                    names.add(name)
                    break
            county = self.rng.choice(URBAN if leading else counties)
            body = f"91{county}MA{self.rng.randrange(10**7):07d}"
            size = EnterpriseSize.LARGE if leading else self.rng.choice(
                [EnterpriseSize.MEDIUM, EnterpriseSize.SMALL, EnterpriseSize.SMALL, EnterpriseSize.MICRO])
            plan.append(Organisation(
                kind=OrgKind.ENTERPRISE, name=name, initials=pinyin_initials(name), is_demo=True,
                uscc=body + uscc.calc_check_digit(body), industry=industry, region=self.region(county),
                size=size, ownership=self.rng.choice([Ownership.PRIVATE] * 4 + [Ownership.STATE, Ownership.MIXED]),
                headcount=self.rng.randint(*HEADCOUNT[size]), headcount_date=dt.date(2019, 12, 31),
                is_leading=leading))
            self.by_pillar[idx].append(name)
        existing = Organisation.objects.filter(kind=OrgKind.ENTERPRISE).values_list("uscc", flat=True)
        _bulk_missing(Organisation, plan, lambda o: o.uscc, existing, self.summary)
        self.ent = {o.name: o for o in Organisation.objects.filter(kind=OrgKind.ENTERPRISE, name__in=names)}

    def pillar_enterprises(self, idx: int) -> list[Organisation]:
        return [self.ent[n] for n in self.by_pillar[idx] if n in self.ent]

    def board(self) -> None:
        term1, created = BoardTerm.objects.get_or_create(
            group=self.vgroup, number=1,
            defaults={"start_date": TERM_1[0], "elected_at": TERM_1[0], "end_date": TERM_1[1], "note": "集团成立"})
        self.summary.add("理事会届次", int(created))
        existed = BoardTerm.objects.filter(group=self.vgroup, number=2).exists()
        term2 = services.start_board_term(self.vgroup, number=2, start_date=TERM_2_START, elected_at=TERM_2_START,
                                          note="换届：按百亿产业重置产学合作委员会")
        self.summary.add("理事会届次", int(not existed))
        lead = self.higher[0]
        seats = [
            BoardSeat(term=term1, role=SeatRole.CHAIR, organisation=lead, person_name="吴志远", person_title="院长"),
            BoardSeat(term=term1, role=SeatRole.SECRETARY_GENERAL, organisation=self.bureau, person_name="周建华",
                      person_title="职教处处长"),
            BoardSeat(term=term2, role=SeatRole.CHAIR, organisation=lead, person_name="吴志远", person_title="院长"),
            BoardSeat(term=term2, role=SeatRole.VICE_CHAIR, organisation=self.bureau, person_name="陈立新",
                      person_title="副局长"),
            BoardSeat(term=term2, role=SeatRole.VICE_CHAIR, organisation=self.depts["市人社局"], person_name="胡建国",
                      person_title="副局长"),
            BoardSeat(term=term2, role=SeatRole.SECRETARY_GENERAL, organisation=self.bureau, person_name="刘晓峰",
                      person_title="职教处处长"),
        ]
        seats += [BoardSeat(term=term1, role=SeatRole.DIRECTOR, organisation=s, person_name=self.person(),
                            person_title="校长") for s in self.higher]
        seats += [BoardSeat(term=term2, role=SeatRole.VICE_CHAIR, organisation=s, person_name=self.person(),
                            person_title="院长") for s in self.higher[1:]]
        for p in PILLARS:
            if p.director:
                seats.append(BoardSeat(term=term2, role=SeatRole.DEPUTY_SECRETARY_GENERAL,
                                       organisation=self.depts[p.director], person_name=self.person(),
                                       person_title="分管副局长"))
        seats += [BoardSeat(term=term2, role=SeatRole.DIRECTOR, organisation=s, person_name=self.person(),
                            person_title="校长") for s, _p in self.secondary]
        seats += [BoardSeat(term=term2, role=SeatRole.DIRECTOR, organisation=e, person_name=self.person(),
                            person_title="董事长")
                  for i in range(len(PILLARS)) for e in self.pillar_enterprises(i)[:1]]
        existing = BoardSeat.objects.filter(term__group=self.vgroup).values_list("term_id", "role", "organisation_id")
        _bulk_missing(BoardSeat, seats, lambda s: (s.term_id, s.role, s.organisation_id), existing, self.summary)

    def committees(self) -> None:
        self.committee_list: list[Committee] = []
        rows: list[CommitteeMembership] = []
        for idx, (p, pillar) in enumerate(zip(PILLARS, self.pillars, strict=True)):
            firms = self.pillar_enterprises(idx)
            director = self.depts[p.director] if p.director else firms[0]
            vice = next((s for s, (_n, _c, ps) in zip(self.higher, HIGHER, strict=True) if idx in ps), self.higher[0])
            secretary = next(s for s, sp in self.secondary if sp == idx)
            committee, created = Committee.objects.get_or_create(
                group=self.vgroup, name=f"{p.name}产学合作委员会",
                defaults={"pillar": pillar, "director": director, "vice_director": vice, "secretary": secretary,
                          "founded": COMMITTEE_FOUNDED})
            self.summary.add("产学合作委员会", int(created))
            self.committee_list.append(committee)
            member = [(director, CommitteeRole.DIRECTOR), (vice, CommitteeRole.VICE_DIRECTOR),
                      (secretary, CommitteeRole.SECRETARY)]
            county_schools = [s for s, sp in self.secondary if sp is None]
            member += [(s, CommitteeRole.MEMBER) for s in self.rng.sample(county_schools, 3)]
            member += [(e, CommitteeRole.MEMBER) for e in firms[:16] if e != director]
            for k, (org, role) in enumerate(member):
                # A few firms left in 2019: the history stays, the row is ended, not deleted.
                left = dt.date(2019, 12, 31) if role == CommitteeRole.MEMBER and k % 9 == 8 else None
                rows.append(CommitteeMembership(committee=committee, organisation=org, role=role,
                                                joined=COMMITTEE_FOUNDED, left=left, person_name=self.person()))
        existing = CommitteeMembership.objects.filter(committee__group=self.vgroup).values_list(
            "committee_id", "organisation_id", "role", "joined")
        _bulk_missing(CommitteeMembership, rows, lambda m: (m.committee_id, m.organisation_id, m.role, m.joined),
                      existing, self.summary)

    def people(self) -> None:
        contacts: list[Contact] = []
        orgs = [*self.depts.values(), *self.higher, *(s for s, _p in self.secondary), *self.ent.values()]
        for org in orgs:
            titles = ROLE_TITLES.get(org.kind, ["联系人"])
            count = 2 if (org.kind == OrgKind.SCHOOL or org.is_leading) else 1
            for k in range(count):
                title = "职教处处长" if org == self.bureau else titles[k % len(titles)]
                phone = self.mobile() if k == 0 else f"0717-6{self.rng.randrange(10**6):06d}"
                contacts.append(Contact(organisation=org, name=self.person(), title=title, phone=phone,
                                        email=f"demo{org.pk}_{k}@example.cn", is_primary=k == 0))
        existing = Contact.objects.filter(organisation__is_demo=True).values_list("organisation_id", "email")
        _bulk_missing(Contact, contacts, lambda c: (c.organisation_id, c.email), existing, self.summary)

        self.teachers()

    def teacher_quota(self) -> list[tuple[Organisation, tuple[int, ...], int]]:
        """(school, its pillar indices, number of teachers): ``teacher_count`` split by school size."""
        schools: list[tuple[Organisation, tuple[int, ...], int]] = []
        for school, (_n, _c, ps) in zip(self.higher, HIGHER, strict=True):
            schools.append((school, tuple(ps), TEACHER_WEIGHTS["higher"]))
        for school, p in self.secondary:
            # A county centre teaches a few of the city's trades: three pillars, picked by its position.
            ps = (p,) if p is not None else tuple((len(schools) + k) % len(PILLARS) for k in range(3))
            schools.append((school, ps, TEACHER_WEIGHTS["specialty" if p is not None else "county"]))
        total = sum(w for _s, _p, w in schools)
        exact = [self.teacher_count * w / total for _s, _p, w in schools]
        counts = [max(MIN_TEACHERS_PER_SCHOOL, int(x)) for x in exact]
        # Largest remainders take the teachers the rounding left over.
        order = sorted(range(len(schools)), key=lambda i: (int(exact[i]) - exact[i], i))
        for i in order[:max(0, self.teacher_count - sum(counts))]:
            counts[i] += 1
        return [(s, ps, n) for (s, ps, _w), n in zip(schools, counts, strict=True)]

    def teachers(self) -> None:
        teachers: list[Teacher] = []
        shares = [c for c, _w in TEACHER_CATEGORY_SHARES], [w for _c, w in TEACHER_CATEGORY_SHARES]
        for school, pillars, count in self.teacher_quota():
            for k in range(1, count + 1):
                category = self.rng.choices(*shares)[0]
                new_hire = self.rng.random() < 0.15  # hired 2017–2020: the years of the matching cycle
                if new_hire:
                    hired = dt.date(self.rng.choice((2017, 2018, 2019, 2020)), self.rng.choice((7, 8, 9)), 1)
                else:
                    hired = dt.date(self.rng.randint(1990, 2016), self.rng.randint(1, 12), 1)
                if category == "general":
                    subject, dual = self.rng.choice(GENERAL_SUBJECTS), self.rng.random() < 0.05
                else:
                    subject, dual = PILLARS[self.rng.choice(pillars)].subject, self.rng.random() < 0.55
                if new_hire and self.rng.random() < 0.45:
                    dual, years = False, Decimal(0)  # straight from university: practises before teaching (TP-02)
                elif dual:
                    years = self.rng.choice([DUAL_MIN_ENTERPRISE_YEARS, *map(Decimal, "12358")])
                else:
                    years = self.rng.choice([Decimal(y) for y in "00012"])
                teachers.append(Teacher(
                    school=school, name=self.person(), employee_no=f"T{k:04d}", subject=subject, category=category,
                    is_dual_qualified=dual, enterprise_years=years, hire_date=hired))
        existing = Teacher.objects.filter(school__is_demo=True).values_list("school_id", "employee_no")
        _bulk_missing(Teacher, teachers, lambda t: (t.school_id, t.employee_no), existing, self.summary)

    def guidance(self) -> None:
        committees: list[GuidanceCommittee] = []
        specialties: list[tuple[Organisation, int]] = [(s, p) for s, p in self.secondary if p is not None]
        specialties += [(s, ps[0]) for s, (_n, _c, ps) in zip(self.higher, HIGHER, strict=True)]
        for school, idx in specialties:
            subject = PILLARS[idx].subject
            major = Major.objects.filter(name=subject).order_by("level", "code").first()
            committees.append(GuidanceCommittee(school=school, name=f"{subject}专业教学指导委员会", major=major,
                                                committee=self.committee_list[idx], founded=dt.date(2017, 3, 1)))
        existing = GuidanceCommittee.objects.filter(school__is_demo=True).values_list("school_id", "name")
        _bulk_missing(GuidanceCommittee, committees, lambda g: (g.school_id, g.name), existing, self.summary)
        members: list[GuidanceMember] = []
        for (school, idx), plan in zip(specialties, committees, strict=True):
            gc = GuidanceCommittee.objects.get(school=school, name=plan.name)
            members.append(GuidanceMember(committee=gc, organisation=school, person_name=self.person(),
                                          person_title="分管副校长", role=GuidanceRole.CHAIR, joined=gc.founded))
            for k, firm in enumerate(self.pillar_enterprises(idx)[2:6]):
                members.append(GuidanceMember(
                    committee=gc, organisation=firm, person_name=self.person(),
                    person_title=self.rng.choice(["技术总监", "生产部经理", "高级工程师", "人力资源部经理"]),
                    role=GuidanceRole.VICE_CHAIR if k == 0 else GuidanceRole.MEMBER, joined=gc.founded))
        existing = GuidanceMember.objects.filter(committee__school__is_demo=True).values_list(
            "committee_id", "organisation_id", "role", "joined")
        _bulk_missing(GuidanceMember, members, lambda m: (m.committee_id, m.organisation_id, m.role, m.joined),
                      existing, self.summary)

    def users(self) -> None:
        ecommerce = self.committee_list[0]
        leading_firm = self.pillar_enterprises(0)[0]
        accounts: list[tuple[str, str, Organisation | None, str]] = [
            ("demo_bureau", Role.BUREAU_ADMIN, self.bureau, "教育局职教处"),
            ("demo_secretariat", Role.SECRETARIAT, self.bureau, "集团秘书处"),
            ("demo_committee", Role.COMMITTEE_LEADER, ecommerce.director, "电商委主任单位"),
            ("demo_school", Role.SCHOOL_ADMIN, ecommerce.secretary, "学校管理员"),
            ("demo_enterprise", Role.ENTERPRISE_CONTACT, leading_firm, "企业人事经理"),
            ("demo_industry", Role.INDUSTRY_AUTHORITY, self.depts["市商务局"], "商务局科长"),
            ("demo_expert", Role.EXPERT, None, "评审专家"),
            ("demo_leader", Role.LEADER, None, "分管副市长"),
            ("demo_sysadmin", Role.SYSTEM_ADMIN, None, "系统管理员"),
            ("demo_secadmin", Role.SECURITY_ADMIN, None, "安全管理员"),
            ("demo_auditor", Role.AUDIT_ADMIN, None, "审计管理员"),
        ]
        for username, role, org, full_name in accounts:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, full_name=f"演示·{full_name}")
                validate_password(DEMO_PASSWORD, user)
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.summary.add("用户", 1)
            # The bureau-level roles reach the demo city (issue #8 point 0: a province holds many).
            where = self.region(CITY_CODE) if role in GLOBAL_READERS else None
            membership, created = Membership.objects.get_or_create(user=user, role=role, organisation=org,
                                                                   defaults={"jurisdiction": where})
            if membership.jurisdiction_id != (where.pk if where else None):
                membership.jurisdiction = where
                membership.save()
            self.summary.add("角色授权", int(created))
            self.summary.accounts.append((username, str(Role(role).label), str(org or "—"), DEMO_PASSWORD))


    # 产教融合型企业 per pillar (PE-09): the 2nd firm certified, the 3rd in the 培育库, the 4th has applied.
    # The 1st (the demo enterprise contact's own firm for 电子商务) is left 未申报, to 申报 in the demo.
    INTEGRATION_PATHS = {1: ("apply", "admit", "certify"), 2: ("apply", "admit"), 3: ("apply",)}

    def integration(self) -> None:
        """Move firms through the workflow as the demo bureau would, each step a StatusChange row.

        Idempotent: a firm that already has a status history (a re-run, or a demo user's own
        changes) is left as it is.
        """
        from chanjiao.core.workflow import StatusChange
        from chanjiao.orgs.models import Enterprise

        bureau = User.objects.get(username="demo_bureau")
        moved = 0
        with audit.audit_context(user=bureau, source="command:demo"):
            for idx in range(len(PILLARS)):
                firms = self.pillar_enterprises(idx)
                for position, steps in self.INTEGRATION_PATHS.items():
                    if position >= len(firms):
                        continue
                    firm = Enterprise.objects.get(pk=firms[position].pk)
                    if firm.industry_id is None or StatusChange.objects.of(firm).exists():
                        continue  # without the catalog an application is incomplete (申报前须填写所属行业)
                    for step in steps:
                        firm.set_status(step, by=bureau, note="演示数据")
                    moved += 1
        self.summary.add("产教融合型企业状态", moved)

    def engagement(self) -> None:
        """The matching cycle 2017–2020 (plans, events, agreements, visits, practice, order classes)."""
        from chanjiao.demo.engagement import build_engagement

        build_engagement(self)

    def layout(self) -> None:
        """The majors 2005–2020 and the review rounds of 2017 and 2019 (149 → 49); counts go to the summary."""
        from chanjiao.demo.layout import build_layout

        build_layout(self)

    def postings(self) -> None:
        """The two scraped job-board files (data/job_postings, SOURCE.md) as the market's demand: imported by
        the demo bureau through the posting importer, so a re-run changes nothing."""
        from chanjiao.layout.postings_sources import load_file

        folder = Path(__file__).resolve().parent / "data" / "job_postings"
        bureau = User.objects.get(username="demo_bureau")
        with audit.audit_context(user=bureau, source="command:demo"):
            for path in sorted(folder.glob("*.csv")):
                result = load_file(path, user=bureau, year=POSTINGS_YEAR, only_if_changed=True)
                if not result.ok:
                    first = result.errors[0] if result.errors else None
                    self.summary.warnings.append(f"{path.name} 未导入：{result.refused or first}")
                    continue
                self.summary.add("招聘岗位", result.created)


POSTINGS_YEAR = 2020  # the scraped files record no year (前程无忧's dates are MM-DD, ≈ 2020)


def build_city(enterprises: int = DEFAULT_ENTERPRISES, teachers: int | None = None) -> Summary:
    """Create (or complete) the demo city; returns what was created and the demo accounts."""
    with audit.audit_context(source="command:demo"):
        return City(enterprises=enterprises, teachers=teachers).build()
