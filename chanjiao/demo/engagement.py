"""The demo city's matching cycle 2017–2020 (issue #9 point 11): the spring plans, the events held through
the committees, the agreements and alliances, the schools' visits, teachers' enterprise practice and the
order classes — records from which the statistics page computes the seed article's 2019 figures.

Sizes come from ``plan.YEAR_FIGURES`` (2019 = the seed) and the event tables of ``plan.py``. A smaller
city than the default (``--enterprises`` below 1,600) gets every figure scaled down in proportion, so the
seed is reproduced exactly at the default size and above. Every row is generated from a random stream
seeded per year and per kind of record, and inserted only when its natural key is missing, so a second
run creates nothing. Rows are bulk-inserted with one audit event each (``audit.record_bulk``); the
many-to-many links (co-hosts, parties, members, visitors, issuers) as rows of their through tables.

Agreement statuses are stored directly with the history the workflow would have written (``StatusChange``
rows dated on signing, start and end: 登记签署 and 开始履行 by the demo bureau, 到期 by the system), in the
state the dates give today — what ``expire_agreements`` would leave them in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from chanjiao.accounts.models import User
from chanjiao.catalog.models import Major
from chanjiao.core.workflow import StatusChange
from chanjiao.demo.plan import (
    ALLIANCES_PER_YEAR,
    DEFAULT_ENTERPRISES,
    DEFAULT_TEACHERS,
    MENTOR_TITLES,
    ORDER_MAJORS,
    OTHER_ACTIVITIES_PER_COMMITTEE,
    OTHER_AGREEMENTS,
    OTHER_HELD_SHARE,
    PILLARS,
    PLAN_NOTICES,
    PRACTICE_CONTENT,
    SEED,
    SYMPOSIA,
    SYMPOSIA_NOT_HELD,
    TRADES,
    VISIT_PURPOSES,
    YEAR_FIGURES,
    YEARS,
)
from chanjiao.engagement.models import (
    Agreement,
    AgreementStatus,
    Alliance,
    AnnualPlan,
    Appraisal,
    CooperationForm,
    Event,
    EventKind,
    EventParticipation,
    OrderClass,
    PlannedActivity,
    PracticeForm,
    TeacherPractice,
    Visit,
    practice_days,
)
from chanjiao.engagement.services import recount_practice_days
from chanjiao.orgs.models import Organisation, OrgKind, SchoolLevel, Teacher

if TYPE_CHECKING:
    from chanjiao.demo.city import City

PREFIX = "宜昌示范"
KIND_CODES = {"intent": "YX", "deep": "SD", "order": "DD", "apprenticeship": "XT", "internship_base": "SX",
              "training_base": "SJ", "other": "QT"}
OTHER_KINDS = (EventKind.TOUR, EventKind.TEACHER_TRAINING, EventKind.COMPETITION)
KIND_WORDS: dict[str, str] = {EventKind.TOUR: "职业校企行", EventKind.TEACHER_TRAINING: "教师企业培训",
              EventKind.COMPETITION: "技能大赛"}
ONE_DAY = dt.timedelta(days=1)
# The kinds' names as the source language has them (the agreement's title is data, not UI text).
AGREEMENT_WORDS = {"intent": "合作意向书", "deep": "深度合作协议", "order": "订单培养协议",
                   "apprenticeship": "学徒培养协议", "internship_base": "实习基地协议", "training_base": "实训基地协议",
                   "other": "合作协议"}


def short(org: Organisation) -> str:
    """The name without 宜昌示范 and 有限公司 (titles of agreements and classes)."""
    return org.name.removeprefix(PREFIX).removesuffix("有限公司").removesuffix("集团")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Through:
    """A many-to-many link to insert: the through model, its two columns, the pairs wanted."""

    model: type[models.Model]
    left: str
    right: str
    pairs: list[tuple[int, int]]


class Engagement:
    """Builds the matching cycle of the demo city; each step inserts only what is missing."""

    def __init__(self, city: City) -> None:
        from chanjiao.demo.city import _bulk_missing

        self.city = city
        self.summary = city.summary
        self.bulk_missing = _bulk_missing
        self.today = timezone.localdate()
        self.bureau_user = User.objects.get(username="demo_bureau")
        quota = city.teacher_quota()
        self.schools = [s for s, _ps, _n in quota]
        self.school_pillars = {s.pk: ps for s, ps, _n in quota}
        # The firms in generation order (deterministic for a given size), with their pillar.
        self.firm_pillar: dict[int, int] = {}
        self.by_pillar: dict[int, list[Organisation]] = {}
        for idx in range(len(PILLARS)):
            self.by_pillar[idx] = city.pillar_enterprises(idx)
            for firm in self.by_pillar[idx]:
                self.firm_pillar[firm.pk] = idx
        self.firms = sorted((f for fs in self.by_pillar.values() for f in fs), key=lambda o: o.name)
        self.by_county: dict[int | None, list[Organisation]] = defaultdict(list)
        for firm in self.firms:
            self.by_county[firm.region_id].append(firm)
        school_by_pk = {s.pk: s for s in self.schools}
        self.teachers: dict[int, list[Teacher]] = defaultdict(list)
        for t in Teacher.objects.filter(school_id__in=school_by_pk).order_by("school_id", "employee_no"):
            t.school = school_by_pk[t.school_id]
            self.teachers[t.school_id].append(t)
        teacher_total = sum(len(v) for v in self.teachers.values())
        # Below the default size every figure shrinks in proportion (the seed needs 1,077 firms to visit).
        self.scale = min(1.0, len(self.firms) / DEFAULT_ENTERPRISES, teacher_total / DEFAULT_TEACHERS)
        self.committees = city.committee_list
        self.depts = city.depts
        self.majors = self._majors()

    # ------------------------------------------------------------------------------------------ helpers
    def rng(self, year: int, what: str) -> random.Random:
        """A stream of its own per year and kind of record: one step's draws never shift another's."""
        return random.Random(f"{SEED}:{year}:{what}")

    def figure(self, year: int, key: str, cap: int | None = None) -> int:
        value = YEAR_FIGURES[year][key]
        if self.scale < 1:
            value = max(1, round(value * self.scale))
        return min(value, cap) if cap is not None else value

    def count(self, value: int) -> int:
        return value if self.scale >= 1 else max(1, round(value * self.scale))

    def person(self, rng: random.Random) -> str:
        from chanjiao.demo.plan import GIVEN, SURNAMES

        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def day_in(self, rng: random.Random, year: int, months: Iterable[int] | None = None) -> dt.date:
        """A working day of ``year`` (in one of ``months``)."""
        month = rng.choice(list(months or range(1, 13)))
        while True:
            day = dt.date(year, month, rng.randint(1, 28))
            if day.weekday() < 5:
                return day

    def school_for_pillar(self, rng: random.Random, idx: int) -> Organisation:
        """A school teaching the pillar's trades (the committee's schools first)."""
        committee = self.committees[idx]
        own = [s for s in self.schools if idx in self.school_pillars[s.pk]]
        if rng.random() < 0.5 and committee.secretary_id:
            return next(s for s in self.schools if s.pk == committee.secretary_id)
        return rng.choice(own or self.schools)

    def firm_for_school(self, rng: random.Random, school: Organisation) -> Organisation:
        """A firm of one of the school's pillars, or (county centres, sometimes) of its county."""
        local = self.by_county.get(school.region_id) or []
        if local and school.school_level == SchoolLevel.SECONDARY and rng.random() < 0.3:
            return rng.choice(local)
        pool = self.by_pillar[rng.choice(self.school_pillars[school.pk])] or self.firms
        return rng.choice(pool)

    def _majors(self) -> dict[tuple[int, str], list[Major]]:
        """(pillar, school level) → the catalog majors an order class trains for (empty without the catalog)."""
        names = {n for sec, assoc in ORDER_MAJORS.values() for n in (*sec, *assoc)}
        found: dict[tuple[str, str], Major] = {}
        for major in Major.objects.filter(name__in=names, level__in=(Major.Level.SECONDARY, Major.Level.ASSOCIATE)):
            found.setdefault((major.name, major.level), major)
        out: dict[tuple[int, str], list[Major]] = {}
        for idx, p in enumerate(PILLARS):
            for level, names in zip(("secondary", "associate"), ORDER_MAJORS[p.name], strict=True):
                # Plain strings as keys: a TextChoices member hashes by its name, not its value.
                out[(idx, level)] = [found[(n, level)] for n in names if (n, level) in found]
        return out

    def insert(self, model: type[models.Model], rows: list[Any], key: Callable[[Any], Hashable],
               existing: Iterable[Hashable]) -> list[Any]:
        """The rows whose key is missing (first of each key), inserted with their audit events."""
        seen = set(existing)
        new = []
        for row in rows:
            if key(row) not in seen:
                seen.add(key(row))
                new.append(row)
        self.bulk_missing(model, new, key, (), self.summary)
        return new

    def majors_for(self, idx: int, school: Organisation) -> list[Major]:
        return self.majors.get((idx, str(school.school_level)), [])

    def link(self, through: Through) -> None:
        """Insert the missing links of a many-to-many field (no audit event: the rows' creation has one)."""
        model = through.model
        lefts = {a for a, _b in through.pairs}
        existing = set(model.objects.filter(**{f"{through.left}__in": lefts})
                       .values_list(through.left, through.right))
        wanted = list(dict.fromkeys(p for p in through.pairs if p not in existing))
        model.objects.bulk_create([model(**{through.left: a, through.right: b}) for a, b in wanted], batch_size=1000)

    # ---------------------------------------------------------------------------------------------- steps
    def build(self) -> None:
        self.plans()
        self.events()
        self.participations()
        self.agreements()
        self.alliances()
        self.visits()
        self.practices()
        self.order_classes()

    def plans(self) -> None:
        group = self.city.vgroup
        plans, issuers = [], []
        for year in YEARS:
            number, issued = PLAN_NOTICES[year]
            plans.append(AnnualPlan(
                group=group, year=year, number=f"宜教职成〔{year}〕{number}号", issued_on=issued,
                title=f"关于印发《宜昌示范职业教育集团{year}年校企对接活动工作计划》的通知",
                summary=(f"{year}年依托职教集团产学合作委员会，联合行业主管部门举办校企合作座谈会、职业校企行、"
                         "教师企业培训和技能大赛等系列校企对接活动；每场座谈会开展五个“一”活动。"
                         + ("受疫情影响，上半年活动顺延至下半年举办。" if year == 2020 else ""))))
        self.insert(AnnualPlan, plans, lambda p: p.number, AnnualPlan.objects.values_list("number", flat=True))
        self.plan = {p.year: p for p in AnnualPlan.objects.filter(group=group, year__in=YEARS)}
        for year in YEARS:
            shorts = {d for _i, _m, _d, hosts, _s in SYMPOSIA[year] for d in hosts}
            issuers += [(self.plan[year].pk, self.city.bureau.pk)]
            issuers += [(self.plan[year].pk, self.depts[s].pk) for s in sorted(shorts)]
        self.link(Through(AnnualPlan.issuers.through, "annualplan_id", "organisation_id", issuers))

        activities: list[PlannedActivity] = []
        # Every planned activity: (pillar, kind, year, title, the day it was held or None, co-hosting departments).
        self.activity_plan: list[tuple[int, str, int, str, dt.date | None, tuple[str, ...]]] = []
        for year in YEARS:
            plan, rng = self.plan[year], self.rng(year, "activities")
            target = self.figure(year, "symposium_enterprises")
            rows: list[tuple[int, str, int, str, dt.date | None, tuple[str, ...]]] = []
            for idx, month, day, hosts, special in SYMPOSIA[year]:
                title = f"{year}年{PILLARS[idx].name}产业校企合作座谈会" + (f"（{special}）" if special else "")
                rows.append((idx, EventKind.SYMPOSIUM, month, title, dt.date(year, month, day), hosts))
            for idx, month in SYMPOSIA_NOT_HELD[year]:
                director = self.committees[idx].director
                hosts = (director.short_name,) if director.kind == OrgKind.DEPARTMENT else ()
                rows.append((idx, EventKind.SYMPOSIUM, month, f"{year}年{PILLARS[idx].name}产业校企合作座谈会", None,
                             hosts))
            for idx in range(len(PILLARS)):
                kinds = rng.sample(OTHER_KINDS, min(3, OTHER_ACTIVITIES_PER_COMMITTEE[year]))
                for kind in kinds:
                    months = range(6, 12) if year == 2020 else range(3, 12)
                    month = rng.choice(list(months))
                    held = rng.random() < OTHER_HELD_SHARE[year]
                    date = self.day_in(rng, year, [month]) if held else None
                    title = f"{year}年{PILLARS[idx].name}产业{KIND_WORDS[kind]}"
                    rows.append((idx, kind, month, title, date, ()))
            for idx, kind, month, title, date, hosts in rows:
                committee = self.committees[idx]
                dept = self.depts[hosts[0]] if hosts else None
                symposium = kind == EventKind.SYMPOSIUM
                activities.append(PlannedActivity(
                    plan=plan, committee=committee, department=dept, kind=kind, title=title, month=month,
                    host=committee.secretary or committee.vice_director,
                    target_enterprises=round(target / len(SYMPOSIA[year])) + 2 if symposium else rng.randint(3, 8),
                    target_agreements=rng.randint(8, 16) if symposium else 0))
                self.activity_plan.append((idx, kind, year, title, date, hosts))
        existing = PlannedActivity.objects.filter(plan__in=self.plan.values()).values_list("plan_id", "title")
        self.insert(PlannedActivity, activities, lambda a: (a.plan_id, a.title), existing)
        self.activity = {(a.plan.year, a.title): a for a in
                         PlannedActivity.objects.filter(plan__in=self.plan.values()).select_related("plan")}

    def events(self) -> None:
        events, co_hosts = [], []
        places: dict[str, str] = {EventKind.SYMPOSIUM: "报告厅", EventKind.TOUR: "",
                                  EventKind.TEACHER_TRAINING: "实训中心", EventKind.COMPETITION: "实训楼"}
        for idx, kind, year, title, date, _hosts in self.activity_plan:
            if date is None:
                continue  # planned, not held
            rng = self.rng(year, f"event:{title}")
            committee = self.committees[idx]
            host = committee.secretary or committee.vice_director or self.schools[0]
            symposium = kind == EventKind.SYMPOSIUM
            place = (f"{host.name}{places[kind]}" if kind != EventKind.TOUR
                     else f"{short(rng.choice(self.by_pillar[idx] or self.firms))}等企业")
            events.append(Event(
                kind=kind, title=title, date=date, place=place, committee=committee,
                planned_activity=self.activity[(year, title)],
                policy_briefing=symposium, skills_show=symposium and rng.random() < 0.8,
                seminar=symposium and rng.random() < 0.9,
                outcome=("宣讲职业教育与产教融合政策，组织企业观摩技能竞赛，开展校企深度对接研讨。" if symposium
                         else f"{KIND_WORDS[kind]}活动按计划完成。")))
        existing = Event.objects.values_list("kind", "title", "date")
        self.insert(Event, events, lambda e: (e.kind, e.title, e.date), existing)
        titles = [e.title for e in events]
        self.event = {e.title: e for e in Event.objects.filter(title__in=titles).select_related("committee")}
        for idx, kind, _year, title, date, hosts in self.activity_plan:
            if date is None:
                continue
            event = self.event[title]
            if kind != EventKind.SYMPOSIUM:
                director = self.committees[idx].director
                hosts = (director.short_name,) if director.kind == OrgKind.DEPARTMENT and date.day % 2 else ()
            co_hosts += [(event.pk, self.depts[h].pk) for h in hosts]
        self.link(Through(Event.co_hosts.through, "event_id", "department_id", co_hosts))
        self.symposia: dict[int, list[tuple[int, Event]]] = defaultdict(list)
        for idx, kind, year, title, date, _hosts in self.activity_plan:
            if date is not None and kind == EventKind.SYMPOSIUM:
                self.symposia[year].append((idx, self.event[title]))
        for year in YEARS:
            self.symposia[year].sort(key=lambda pair: (pair[1].date, pair[1].title))

    def participations(self) -> None:
        rows: list[EventParticipation] = []
        # (year) → the firms that attended each symposium: agreements and alliances signed there draw on them.
        self.attended: dict[int, list[Organisation]] = {}
        for year in YEARS:
            rng = self.rng(year, "participations")
            symposia = self.symposia[year]
            target = self.figure(year, "symposium_enterprises", cap=len(self.firms))
            # The distinct attending firms, split over the symposia (the second session of a committee gets fewer).
            weights = [rng.uniform(0.8, 1.3) * (0.6 if any(i == idx for i, _e in symposia[:k]) else 1)
                       for k, (idx, _e) in enumerate(symposia)]
            quota = [int(target * w / sum(weights)) for w in weights]
            for k in range(target - sum(quota)):
                quota[k % len(quota)] += 1
            used: set[int] = set()
            shuffled = {i: rng.sample(fs, len(fs)) for i, fs in self.by_pillar.items()}
            spare = rng.sample(self.firms, len(self.firms))
            year_set: list[Organisation] = []
            for (idx, event), n in zip(symposia, quota, strict=True):
                chosen: list[Organisation] = []
                for firm in [*shuffled[idx], *spare]:
                    if len(chosen) == n:
                        break
                    if firm.pk not in used:
                        used.add(firm.pk)
                        chosen.append(firm)
                year_set += chosen
                # Some firms come to a second symposium of the year (counted once).
                repeats = [f for f in year_set if f not in chosen]
                again = rng.sample(repeats, min(len(repeats), rng.randint(1, 3)))
                self.attended[event.pk] = chosen + again
                for firm in chosen + again:
                    n_people = rng.randint(1, 3)
                    rows.append(EventParticipation(
                        event=event, organisation=firm, invited=True, attended=True, attendees=n_people,
                        people="、".join(self.person(rng) for _ in range(n_people))))
                # Invited, did not come: firms that attended no symposium this year.
                absent = [f for f in shuffled[idx] if f.pk not in used][: rng.randint(2, 6)]
                rows += [EventParticipation(event=event, organisation=f, invited=True, attended=False, attendees=0)
                         for f in absent]
                rows += self._official_guests(rng, idx, event)
        for title, event in self.event.items():
            if event.kind == EventKind.SYMPOSIUM:
                continue
            rng = self.rng(event.date.year, f"guests:{title}")
            idx = next(i for i, c in enumerate(self.committees) if c.pk == event.committee_id)
            pool = self.by_pillar[idx] or self.firms
            firms = rng.sample(pool, min(len(pool), rng.randint(2, 6)))
            schools = rng.sample(self.schools, rng.randint(2, 6))
            for org in [*firms, *schools]:
                n_people = rng.randint(1, 4)
                rows.append(EventParticipation(event=event, organisation=org, invited=True, attended=True,
                                               attendees=n_people))
        existing = EventParticipation.objects.filter(event__in=self.event.values()).values_list(
            "event_id", "organisation_id")
        self.insert(EventParticipation, rows, lambda p: (p.event_id, p.organisation_id), existing)

    def _official_guests(self, rng: random.Random, idx: int, event: Event) -> list[EventParticipation]:
        """The bureau, the committee's department and schools at a symposium (all attended)."""
        committee = self.committees[idx]
        guests: list[Organisation] = [self.city.bureau]
        if committee.director.kind == OrgKind.DEPARTMENT:
            guests.append(committee.director)
        schools = [s for s in self.schools if s.pk in (committee.vice_director_id, committee.secretary_id)]
        schools += rng.sample([s for s in self.schools if s not in schools], 3)
        return [EventParticipation(event=event, organisation=o, invited=True, attended=True,
                                   attendees=rng.randint(1, 2) if o.kind == OrgKind.DEPARTMENT else rng.randint(2, 5))
                for o in [*guests, *schools]]

    # ------------------------------------------------------------------------------------------ agreements
    def agreements(self) -> None:
        specs: list[dict[str, Any]] = []
        for year in YEARS:
            specs += self._intents(year)
            for kind, n in OTHER_AGREEMENTS[year].items():
                specs += self._others(year, kind, self.count(n))
            specs += self._order_agreements(year)
        specs += self._renewals(specs)
        self._write_agreements(specs)

    def _spec(self, year: int, kind: str, n: int, school: Organisation, firm: Organisation, signed: dt.date | None,
              start: dt.date, end: dt.date | None, idx: int, event: Event | None = None,
              **extra: Any) -> dict[str, Any]:
        words = AGREEMENT_WORDS
        return {"number": f"YCZJ-{year}-{KIND_CODES[kind]}-{n:04d}", "kind": kind, "school": school, "firm": firm,
                "title": f"{short(school)}与{short(firm)}{words[kind]}", "signed_on": signed, "start": start,
                "end": end, "idx": idx, "event": event, **extra}

    def _intents(self, year: int) -> list[dict[str, Any]]:
        rng = self.rng(year, "intents")
        total = self.figure(year, "intent_agreements")
        at_events = round(total * 0.65)
        specs: list[dict[str, Any]] = []
        symposia = self.symposia[year]
        for n in range(1, total + 1):
            if n <= at_events and symposia:
                idx, event = symposia[(n - 1) % len(symposia)]
                firm = rng.choice(self.attended.get(event.pk) or self.by_pillar[idx] or self.firms)
                signed = event.date
            else:
                idx, event = rng.randrange(len(PILLARS)), None
                firm = rng.choice(self.by_pillar[idx] or self.firms)
                signed = self.day_in(rng, year)
            school = self.school_for_pillar(rng, idx)
            end = add_years(signed, rng.choice((1, 2, 3))) - ONE_DAY
            specs.append(self._spec(year, "intent", n, school, firm, signed, signed, end, idx, event,
                                    forms=[CooperationForm.TRAINING],
                                    expected="建立校企合作关系，开展实习就业与教师实践合作。"))
        return specs

    def _others(self, year: int, kind: str, total: int) -> list[dict[str, Any]]:
        rng = self.rng(year, f"agreements:{kind}")
        specs: list[dict[str, Any]] = []
        symposia = self.symposia[year]
        for n in range(1, total + 1):
            idx = rng.randrange(len(PILLARS))
            event = None
            if kind == "deep" and symposia and rng.random() < 0.5:  # 签约一批深度合作协议 at the symposia
                idx, event = rng.choice(symposia)
                signed = event.date
            elif kind == "internship_base":
                signed = self.day_in(rng, year, (6, 7, 8))
            else:
                signed = self.day_in(rng, year)
            firm = rng.choice((self.attended.get(event.pk) if event else None) or self.by_pillar[idx] or self.firms)
            school = self.school_for_pillar(rng, idx)
            start = dt.date(year, 9, 1) if kind == "internship_base" else signed
            years = {"deep": (3, 5), "apprenticeship": (3, 3), "internship_base": (3, 5), "training_base": (5, 10),
                     "other": (1, 2)}[kind]
            end = add_years(start, rng.randint(*years)) - ONE_DAY
            if kind == "deep" and rng.random() < 0.1:
                end = None  # 长期有效
            forms = {"deep": [CooperationForm.MAJORS, CooperationForm.TRAINING, CooperationForm.STANDARDS],
                     "apprenticeship": [CooperationForm.APPRENTICESHIP, CooperationForm.TRAINING],
                     "internship_base": [CooperationForm.TRAINING], "training_base": [CooperationForm.JOINT_BODIES],
                     "other": [CooperationForm.CONTESTS]}[kind]
            spec = self._spec(year, kind, n, school, firm, signed, start, end, idx, event, forms=forms,
                              hosts_interns=kind in ("internship_base", "apprenticeship"),
                              expected={"deep": "共建专业、共同开发课程与教材，共育技术技能人才。",
                                        "apprenticeship": "联合招生招工，校企双导师培养现代学徒。",
                                        "internship_base": "企业每年接收学生岗位实习，提供实习岗位与指导教师。",
                                        "training_base": "共建校内外实训基地，共享设备与师资。",
                                        "other": "联合举办技能竞赛与企业文化进校园活动。"}[kind])
            committee = self.committees[idx]
            if kind == "deep" and committee.vice_director_id not in (None, school.pk) and rng.random() < 0.3:
                # 1+1+V+N: the committee's college signs beside the secondary school.
                spec["more_schools"] = [s for s in self.schools if s.pk == committee.vice_director_id]
            # A few deep and training-base agreements ended early: the firm restructured.
            if kind in ("deep", "training_base") and year < 2020 and rng.random() < 0.12:
                spec["terminated_on"] = add_years(start, 1) + dt.timedelta(days=rng.randint(30, 300))
            specs.append(spec)
        return specs

    def _order_agreements(self, year: int) -> list[dict[str, Any]]:
        """The order classes of the year (planned here, written in ``order_classes``) and their agreements."""
        rng = self.rng(year, "order-classes")
        classes = self.figure(year, "order_classes")
        students = self.figure(year, "order_class_students")
        plan: list[dict[str, Any]] = []
        students = min(max(students, 20 * classes), 120 * classes)
        enrolled = [rng.randint(40, 90) for _ in range(classes)]
        diff = students - sum(enrolled)
        k = 0
        while diff:  # bring the sum to the year's figure, one student at a time, within 20–120 a class
            step = 1 if diff > 0 else -1
            if 20 <= enrolled[k % classes] + step <= 120:
                enrolled[k % classes] += step
                diff -= step
            k += 1
        specs: list[dict[str, Any]] = []
        names: set[tuple[int, str]] = set()
        for n, size in enumerate(enrolled, start=1):
            school = rng.choice([s for s in self.schools if s.school_level == SchoolLevel.ASSOCIATE]
                                if rng.random() < 0.4 else self.schools)
            idx = rng.choice(self.school_pillars[school.pk])
            pool = self.by_pillar[idx] or self.firms
            firm = rng.choice(pool[:12] if rng.random() < 0.5 else pool)  # the larger firms order most
            name, k = f"{short(firm)}订单班", 1
            while (school.pk, name) in names:
                k += 1
                name = f"{short(firm)}订单班（{k}）"
            names.add((school.pk, name))
            row = {"school": school, "firm": firm, "idx": idx, "name": name, "enrolled": size, "pick": rng.random(),
                   "planned": max(size + rng.randint(-3, 8), 1), "agreement": None,
                   "mentors": "\n".join(f"{self.person(rng)}，{rng.choice(MENTOR_TITLES)}"
                                        for _ in range(rng.randint(1, 3)))}
            if year == 2017:
                grads = size - rng.randint(0, 4)
                hired = round(grads * rng.uniform(0.55, 0.9))
                row.update(graduates=grads, hired=hired, retained=round(hired * rng.uniform(0.7, 0.95)))
            elif year == 2018:
                grads = size - rng.randint(0, 4)
                row.update(graduates=grads, hired=round(grads * rng.uniform(0.55, 0.9)), retained=None)
            if rng.random() < 0.85:  # most classes rest on an order agreement
                signed = self.day_in(rng, year, (5, 6, 7))
                start = dt.date(year, 9, 1)
                spec = self._spec(year, "order", n, school, firm, signed, start,
                                  dt.date(year + 3, 7, 31), idx, forms=[CooperationForm.TRAINING],
                                  hosts_interns=True, expected=f"订单培养{size}名学生，毕业后择优录用。")
                specs.append(spec)
                row["agreement"] = spec["number"]
            plan.append(row)
        self.class_plan = getattr(self, "class_plan", {})
        self.class_plan[year] = plan
        return specs

    def _renewals(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Internship bases of 2017 whose term ended in 2020 renewed (the successor keeps the chain)."""
        rng = self.rng(2020, "renewals")
        due = [s for s in specs if s["kind"] == "internship_base" and s["end"] and s["end"].year == 2020
               and "terminated_on" not in s]
        out = []
        for n, old in enumerate(due[: self.count(6)], start=900):
            start = old["end"] + ONE_DAY
            signed = start - dt.timedelta(days=rng.randint(10, 40))
            out.append(self._spec(2020, "internship_base", n, old["school"], old["firm"], signed, start,
                                  add_years(start, 3) - ONE_DAY, old["idx"], forms=old["forms"], hosts_interns=True,
                                  expected=old["expected"], predecessor=old["number"]))
        return out

    def _status(self, spec: dict[str, Any]) -> list[tuple[str, str, str, dt.date, str]]:
        """The transitions the agreement took by today: (transition, from, to, on, note)."""
        if spec["signed_on"] is None:
            return []
        steps = [("sign", AgreementStatus.DRAFT, AgreementStatus.SIGNED, spec["signed_on"], "")]
        if spec["start"] > self.today:
            return steps
        steps.append(("start", AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, spec["start"], ""))
        stop = spec.get("terminated_on")
        if stop and stop <= self.today and (spec["end"] is None or stop <= spec["end"]):
            return [*steps, ("terminate", AgreementStatus.IN_FORCE, AgreementStatus.TERMINATED, stop,
                             "企业经营调整，双方协商一致提前终止。")]
        if spec["end"] is not None and spec["end"] < self.today:
            steps.append(("expire", AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED, spec["end"] + ONE_DAY,
                          f"协议期限已于 {spec['end']:%Y-%m-%d} 届满"))
        return steps

    def _write_agreements(self, specs: list[dict[str, Any]]) -> None:
        seen: set[tuple[Any, ...]] = set()
        rows, steps = [], {}
        for spec in specs:
            dup = (spec["kind"], spec["start"], spec["school"].pk, spec["firm"].pk)
            if dup in seen:  # the same parties, kind and start would be refused as a duplicate
                spec["start"] += ONE_DAY
                if spec["signed_on"] and spec["signed_on"] > spec["start"]:
                    spec["signed_on"] = spec["start"]
            seen.add((spec["kind"], spec["start"], spec["school"].pk, spec["firm"].pk))
            history = self._status(spec)
            steps[spec["number"]] = history
            rows.append(Agreement(
                number=spec["number"], title=spec["title"], kind=spec["kind"],
                status=history[-1][2] if history else AgreementStatus.DRAFT,
                committee=self.committees[spec["idx"]], forms=[str(f) for f in spec.get("forms", [])],
                hosts_interns=spec.get("hosts_interns", False), signed_on=spec["signed_on"], start=spec["start"],
                end=spec["end"], signing_event=spec["event"], expected_outcomes=spec.get("expected", ""),
                achieved_outcomes=("已按协议开展合作。" if history and history[-1][2] == AgreementStatus.EXPIRED
                                   else "")))
        numbers = [r.number for r in rows]
        existing = set(Agreement.objects.filter(number__in=numbers).values_list("number", flat=True))
        predecessor = {s["number"]: s["predecessor"] for s in specs if s.get("predecessor")}
        # Renewals go second, pointing at their predecessors (written in the first pass).
        new = self.insert(Agreement, [r for r in rows if r.number not in predecessor], lambda a: a.number, existing)
        by_number = dict(Agreement.objects.filter(number__in=numbers).values_list("number", "pk"))
        renewals = [r for r in rows if r.number in predecessor]
        for row in renewals:
            row.predecessor_id = by_number[predecessor[row.number]]
        new += self.insert(Agreement, renewals, lambda a: a.number, existing)
        by_number = dict(Agreement.objects.filter(number__in=numbers).values_list("number", "pk"))
        self.agreement_pk = by_number
        self.link(Through(Agreement.schools.through, "agreement_id", "school_id",
                          [(by_number[s["number"]], school.pk) for s in specs
                           for school in [s["school"], *s.get("more_schools", [])]]))
        self.link(Through(Agreement.enterprises.through, "agreement_id", "organisation_id",
                          [(by_number[s["number"]], s["firm"].pk) for s in specs]))
        majors = []
        for s in specs:
            options = self.majors_for(s["idx"], s["school"])
            if options:
                majors.append((by_number[s["number"]], options[0].pk))
        self.link(Through(Agreement.majors.through, "agreement_id", "major_id", majors))
        # The workflow history of the agreements created now (dated as the transitions happened).
        ct = ContentType.objects.get_for_model(Agreement, for_concrete_model=False)
        changes = []
        for row in new:
            for name, source, target, on, note in steps[row.number]:
                by = None if name == "expire" else self.bureau_user
                changes.append(StatusChange(
                    content_type=ct, object_id=row.pk, field="status", transition=name, source=source, target=target,
                    actor=by, actor_name=by.get_username() if by else "系统", note=note,
                    created_at=timezone.make_aware(dt.datetime.combine(on, dt.time(10, 0)))))
        StatusChange.objects.bulk_create(changes, batch_size=1000)
        self.summary.add("协议状态变更", len(changes))

    # ----------------------------------------------------------------------------------------- alliances
    def alliances(self) -> None:
        rows, members, wanted = [], [], []
        used: dict[int, int] = defaultdict(int)
        for year in YEARS:
            rng = self.rng(year, "alliances")
            symposia = [pair for pair in self.symposia[year]]
            for idx, event in rng.sample(symposia, min(len(symposia), self.count(ALLIANCES_PER_YEAR[year]))):
                words = [w for ws in TRADES[PILLARS[idx].name].values() for w in ws]
                committee = self.committees[idx]
                lead = next((s for s in self.schools if s.pk == (committee.secretary_id or committee.vice_director_id)),
                            self.schools[0])
                name = f"{PREFIX}{words[used[idx] % len(words)]}专业发展联盟"
                used[idx] += 1
                firms = (self.attended.get(event.pk) or self.by_pillar[idx])[: rng.randint(6, 12)]
                schools = [lead] + [s for s in self.schools if s.pk == committee.vice_director_id and s != lead]
                schools += rng.sample([s for s in self.schools if s not in schools], 2)
                rows.append(Alliance(name=name, lead_school=lead, founding_event=event, founded=event.date,
                                     description=f"在{event.title}上发起成立，成员包括学校{len(schools)}所、"
                                                 f"企业{len(firms)}家（演示数据）。"))
                wanted.append((name, [o.pk for o in [*schools, *firms]], idx, lead))
        self.insert(Alliance, rows, lambda a: a.name, Alliance.objects.values_list("name", flat=True))
        pk = dict(Alliance.objects.filter(name__in=[r.name for r in rows]).values_list("name", "pk"))
        for name, orgs, _idx, _lead in wanted:
            members += [(pk[name], o) for o in orgs]
        self.link(Through(Alliance.members.through, "alliance_id", "organisation_id", members))
        majors = []
        for name, _orgs, idx, lead in wanted:
            majors += [(pk[name], m.pk) for m in self.majors_for(idx, lead)[:2]]
        self.link(Through(Alliance.majors.through, "alliance_id", "major_id", majors))

    # ------------------------------------------------------------------------------------------- visits
    def visits(self) -> None:
        rows: list[Visit] = []
        visitors: dict[tuple[int, int, dt.date], list[int]] = {}
        for year in YEARS:
            rng = self.rng(year, "visits")
            months = [1, 5, 6, 7, 8, 9, 10, 11, 12] if year == 2020 else list(range(1, 13))
            firms = rng.sample(self.firms, self.figure(year, "visited_enterprises", cap=len(self.firms)))
            keys: set[tuple[int, int, dt.date]] = set()
            extra = rng.sample(firms, round(len(firms) * 0.3))  # visited twice: another school or a follow-up
            for firm in [*firms, *extra]:
                while True:
                    school = self._visiting_school(rng, firm)
                    date = self.day_in(rng, year, months)
                    if (school.pk, firm.pk, date) not in keys:
                        break
                keys.add((school.pk, firm.pk, date))
                purpose = rng.choice(VISIT_PURPOSES)
                follow = rng.random() < 0.4
                rows.append(Visit(school=school, enterprise=firm, date=date, purpose=purpose,
                                  outcome=f"与企业负责人座谈，{purpose.removeprefix('洽谈')}事项达成初步共识。",
                                  follow_up="提交合作方案，约定再次对接。" if follow else "",
                                  follow_up_by=date + dt.timedelta(days=30) if follow else None))
                staff = [t for t in self.teachers[school.pk] if t.hire_date and t.hire_date <= date]
                visitors[(school.pk, firm.pk, date)] = [t.pk for t in rng.sample(staff, min(len(staff),
                                                                                             rng.randint(1, 3)))]
        existing = Visit.objects.filter(school_id__in=[s.pk for s in self.schools]).values_list(
            "school_id", "enterprise_id", "date")
        self.insert(Visit, rows, lambda v: (v.school_id, v.enterprise_id, v.date), existing)
        pks = {(s, e, d): pk for pk, s, e, d in Visit.objects.filter(
            school_id__in=[s.pk for s in self.schools], date__year__in=YEARS).values_list(
            "pk", "school_id", "enterprise_id", "date")}
        pairs = [(pks[key], t) for key, teachers in visitors.items() for t in teachers]
        self.link(Through(Visit.visitors.through, "visit_id", "teacher_id", pairs))

    def _visiting_school(self, rng: random.Random, firm: Organisation) -> Organisation:
        idx = self.firm_pillar.get(firm.pk)
        local = [s for s in self.schools if s.region_id == firm.region_id and s.school_level == SchoolLevel.SECONDARY]
        if local and rng.random() < 0.35:
            return rng.choice(local)
        if idx is not None and rng.random() < 0.8:
            own = [s for s in self.schools if idx in self.school_pillars[s.pk]]
            if own:
                return rng.choice(own)
        return rng.choice(self.schools)

    # ------------------------------------------------------------------------------------------ practice
    def practices(self) -> None:
        rows: list[TeacherPractice] = []
        all_teachers = [t for ts in self.teachers.values() for t in ts]
        lengths = {PracticeForm.STUDY_VISIT: (2, 7), PracticeForm.TRAINING: (5, 21), PracticeForm.POST: (30, 90),
                   PracticeForm.RESEARCH: (15, 60), PracticeForm.OTHER: (3, 10)}
        forms = [PracticeForm.TRAINING] * 4 + [PracticeForm.STUDY_VISIT] * 3 + [PracticeForm.POST] * 2 + [
            PracticeForm.RESEARCH, PracticeForm.OTHER]
        for year in YEARS:
            rng = self.rng(year, "practice")
            total = self.figure(year, "practice_person_times")
            keys: set[tuple[int, int, dt.date]] = set()
            year_rows: list[TeacherPractice] = []

            def add(teacher: Teacher, start: dt.date, form: str, days: int, pre: bool = False,
                    rng: random.Random = rng, keys: set[Any] = keys, year: int = year,
                    year_rows: list[TeacherPractice] = year_rows) -> None:
                firm = self.firm_for_school(rng, teacher.school)
                while (teacher.pk, firm.pk, start) in keys:  # the same teacher, firm and day: the day before
                    start -= ONE_DAY
                keys.add((teacher.pk, firm.pk, start))
                end = start + dt.timedelta(days=days - 1)
                appraisal = "" if year == 2020 and rng.random() < 0.2 else rng.choice(
                    [Appraisal.EXCELLENT, Appraisal.GOOD, Appraisal.GOOD, Appraisal.PASS, Appraisal.PASS,
                     Appraisal.PASS, Appraisal.FAIL if rng.random() < 0.1 else Appraisal.PASS])
                year_rows.append(TeacherPractice(
                    teacher=teacher, enterprise=firm, start=start, end=end, form=form, days=practice_days(start, end),
                    content=rng.choice(PRACTICE_CONTENT), pre_service=pre, appraisal=appraisal,
                    appraisal_note="该同志实践期间遵守企业规章，虚心学习，完成实践任务。" if appraisal else ""))

            # New teachers without enterprise experience practise before they teach (TP-02).
            for t in all_teachers:
                if (len(year_rows) < total and t.hire_date and t.hire_date.year == year and not t.enterprise_years
                        and t.category != "general"):
                    add(t, t.hire_date, PracticeForm.POST, rng.randint(28, 60), pre=True)
            eligible = [t for t in all_teachers if t.hire_date and t.hire_date < dt.date(year, 1, 1)
                        and (t.category != "general" or rng.random() < 0.08)]
            rng.shuffle(eligible)
            firsts = eligible[: min(len(eligible), round((total - len(year_rows)) * 0.82))]
            placed: dict[int, tuple[dt.date, dt.date]] = {}
            months = list(range(6, 13)) if year == 2020 else list(range(1, 13))
            for t in firsts:
                if len(year_rows) >= total:
                    break
                form = rng.choice(forms)
                start = self.day_in(rng, year, months)
                days = rng.randint(*lengths[form])
                if rng.random() < 0.07:  # a winter placement that runs into the next year
                    form, start, days = PracticeForm.POST, self.day_in(rng, year, (11, 12)), rng.randint(40, 75)
                add(t, start, form, days)
                placed[t.pk] = (start, start + dt.timedelta(days=days - 1))
            # Second records for some of them; about a third overlap the first (counted once in ``counted_days``).
            again = [t for t in firsts if t.pk in placed]
            k = 0
            while len(year_rows) < total and again:
                t = again[k % len(again)]
                k += 1
                first_start, first_end = placed[t.pk]
                if rng.random() < 0.35:
                    # Within the first record, and still in this year (the first may run into the next one).
                    start = first_start + dt.timedelta(days=rng.randint(0, max(0, (first_end - first_start).days)))
                    start = min(start, dt.date(year, 12, 31))
                else:
                    start = self.day_in(rng, year, months)
                form = rng.choice(forms)
                add(t, start, form, rng.randint(*lengths[form]))
            rows += year_rows
        existing = TeacherPractice.objects.filter(teacher_id__in=[t.pk for t in all_teachers]).values_list(
            "teacher_id", "enterprise_id", "start")
        new = self.insert(TeacherPractice, rows, lambda p: (p.teacher_id, p.enterprise_id, p.start), existing)
        # bulk_create skips save(): the overlap-free days are kept by the service, as save() would.
        recount_practice_days({p.teacher_id for p in new})

    # -------------------------------------------------------------------------------------- order classes
    def order_classes(self) -> None:
        rows: list[OrderClass] = []
        for year in YEARS:
            for row in self.class_plan[year]:
                majors = self.majors_for(row["idx"], row["school"])
                if not majors:
                    continue
                agreement = self.agreement_pk.get(row["agreement"]) if row["agreement"] else None
                rows.append(OrderClass(
                    school=row["school"], enterprise=row["firm"], major=majors[int(row["pick"] * len(majors))],
                    cohort_year=year, name=row["name"], planned=row["planned"], enrolled=row["enrolled"],
                    agreement_id=agreement, mentors=row["mentors"], graduates=row.get("graduates"),
                    hired=row.get("hired"), retained=row.get("retained")))
        if not self.majors or not any(self.majors.values()):
            self.summary.warnings.append("专业目录未载入：未生成订单班。请先运行 manage.py load_catalogs。")
        existing = OrderClass.objects.filter(school_id__in=[s.pk for s in self.schools]).values_list(
            "school_id", "cohort_year", "name")
        self.insert(OrderClass, rows, lambda o: (o.school_id, o.cohort_year, o.name), existing)


def build_engagement(city: City) -> None:
    """Create (or complete) the demo city's matching cycle 2017–2020; counts go to ``city.summary``."""
    Engagement(city).build()
