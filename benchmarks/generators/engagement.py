"""The yearly matching cycle (issue #9) of Hubei's 17 units over 2017–2020: plans and their activities,
events with co-hosts and participants, agreements with their parties, alliances, visits, teachers'
enterprise practice and order classes — the rows the year's statistics (reports/statistics.py) count.

Each group issues one plan a year; activities go to its committees. An event is hosted by a committee
(weighted by the unit's size), co-hosted by one or two of the unit's industry authorities, and, when it
holds a planned activity, dated in that activity's year and month. Participants, parties, visited and
host enterprises come from the school's (or the event's) unit, one in ten from anywhere in the
province (a city's partners outside it). Practice records: most teachers none or one, some several,
about one in ten overlapping an earlier one of the same teacher; ``days`` is the record's own length
(both ends included), ``counted_days`` the days no earlier record of the same teacher (by start, then
id) covers — computed here as ``services.recount_practice_days`` computes it.

Rows go in through COPY. Unlike orgs.py these rows carry no ``create`` audit event: some 1.3 million
events at full scale would double the generator's time and memory for no benchmark that reads them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from benchmarks.generators import Context, allocate, at, timed

YEARS = (2017, 2018, 2019, 2020)
EVENT_KINDS = [("symposium", 20), ("tour", 25), ("teacher_training", 25), ("competition", 15), ("other", 15)]
EVENT_TITLES = {"symposium": "{c}校企合作座谈会", "tour": "{c}职业校企行", "teacher_training": "{c}教师企业培训",
                "competition": "{c}职业技能大赛", "other": "{c}校企对接交流活动"}
AGREEMENT_KINDS = [("intent", 35), ("deep", 15), ("order", 15), ("apprenticeship", 10), ("internship_base", 12),
                   ("training_base", 8), ("other", 5)]
AGREEMENT_LABELS = {"intent": "合作意向书", "deep": "深度合作协议", "order": "订单培养协议",
                    "apprenticeship": "学徒培养协议", "internship_base": "实习基地协议",
                    "training_base": "实训基地协议", "other": "合作协议"}
STATUSES = [("draft", 8), ("signed", 12), ("in_force", 45), ("expired", 30), ("terminated", 5)]
FORMS = ["majors", "training", "apprenticeship", "joint_bodies", "standards", "contests", "other"]
PRACTICE_FORMS = ["study_visit", "training", "post", "research", "other"]
APPRAISALS = ["excellent", "good", "good", "pass", "pass", ""]
PURPOSES = ["了解企业用人需求", "洽谈订单培养", "回访实习学生", "共建实训基地", "洽谈教师企业实践",
            "走访毕业生就业单位"]


def _pick(rng: Any, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def _day(rng: Any, year: int, month: int | None = None) -> dt.date:
    if month is None:
        return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return dt.date(year, month, rng.randint(1, 28))


class EngagementGenerator:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("engagement")
        self.s = ctx.sizes
        sh = ctx.shared
        self.units = sh["units"]
        self.schools_by_unit: list[list[tuple[int, str]]] = sh["schools_by_unit"]
        self.enterprises_by_unit: list[list[int]] = sh["enterprises_by_unit"]
        self.all_enterprises = [e for unit in self.enterprises_by_unit for e in unit]
        self.all_schools = [s for unit in self.schools_by_unit for s in unit]
        self.school_unit = {sid: u for u, unit in enumerate(self.schools_by_unit) for sid, _l in unit}
        self.authorities: list[dict[str, int]] = sh["authorities"]
        self.org_info = sh["org_info"]
        self.committees: list[tuple[int, int, int]] = sh["committees"]  # (id, unit, director)
        with ctx.conn.cursor() as cur:
            cur.execute("SELECT id, group_id FROM orgs_committee ORDER BY id")
            self.committee_group = dict(cur.fetchall())
            cur.execute("SELECT id, school_id FROM orgs_teacher ORDER BY id")
            self.teachers = cur.fetchall()
        self.group_of_unit = {u: self.committee_group[c] for c, u, _d in self.committees}
        self.committees_by_unit: dict[int, list[int]] = {}
        for c, u, _d in self.committees:
            self.committees_by_unit.setdefault(u, []).append(c)
        self.unit_weights = [unit.weight for unit in self.units]

    def when(self) -> dt.datetime:
        return at(365 * self.rng.random())

    def firm(self, u: int) -> int:
        """An enterprise of unit ``u``, one in ten from anywhere in the province."""
        pool = self.enterprises_by_unit[u]
        if not pool or self.rng.random() < 0.1:
            pool = self.all_enterprises
        return pool[self.rng.randrange(len(pool))]

    def school(self) -> tuple[int, str]:
        u = self.rng.choices(range(len(self.units)), self.unit_weights)[0]
        pool = self.schools_by_unit[u] or self.all_schools
        return pool[self.rng.randrange(len(pool))]

    def run(self) -> None:
        self.plans()
        self.events()
        self.agreements()
        self.alliances()
        self.visits()
        self.practices()
        self.order_classes()

    # ------------------------------------------------------------------ plans
    def plans(self) -> None:
        from chanjiao.engagement.models import AnnualPlan, PlannedActivity

        plan_rows, activity_rows, issuer_rows = [], [], []
        pid, aid = self.ctx.next_id("engagement_annualplan"), self.ctx.next_id("engagement_plannedactivity")
        iid = self.ctx.next_id(AnnualPlan.issuers.through._meta.db_table)
        self.plan_of: dict[tuple[int, int], int] = {}
        for u, unit in enumerate(self.units):
            group = self.group_of_unit[u]
            bureau = self.authorities[u]["教育局"]
            for year in YEARS:
                when = self.when()
                plan_rows.append({"id": pid, "created_at": when, "updated_at": when, "group_id": group, "year": year,
                                  "number": f"{unit.short}教职成〔{year}〕{3 + u % 5}号",
                                  "title": f"关于开展{year}年{unit.short}校企对接活动的通知",
                                  "issued_on": dt.date(year, 3, 1 + u), "summary": ""})
                for org in (bureau, self.authorities[u]["经信局"]):
                    issuer_rows.append((iid, pid, org))
                    iid += 1
                self.plan_of[(u, year)] = pid
                pid += 1
        # Activities: per plan, spread over its group's committees.
        self.activities: list[tuple[int, int, int, int, str]] = []  # (id, committee, year, month, kind)
        keys = sorted(self.plan_of)
        for k, n in zip(keys, allocate(self.s["engagement.plannedactivity"], [self.units[u].weight for u, _y in keys]),
                        strict=True):
            u, year = k
            committees = self.committees_by_unit[u]
            depts = [v for key, v in self.authorities[u].items() if key not in ("教育局", "发改委")]
            for j in range(n):
                committee = committees[j % len(committees)]
                kind = _pick(self.rng, EVENT_KINDS)
                month = self.rng.randint(3, 12)
                when = self.when()
                activity_rows.append({
                    "id": aid, "created_at": when, "updated_at": when, "plan_id": self.plan_of[k],
                    "committee_id": committee, "department_id": self.rng.choice(depts), "kind": kind,
                    "title": f"{year}年{month}月{EVENT_TITLES[kind].format(c=self.units[u].short)}", "month": month,
                    "host_id": self.rng.choice(self.schools_by_unit[u] or self.all_schools)[0],
                    "target_enterprises": self.rng.randint(10, 80), "target_agreements": self.rng.randint(0, 20)})
                self.activities.append((aid, committee, year, month, kind))
                aid += 1
        self.ctx.copy(AnnualPlan, plan_rows)
        self.ctx.copy_plain(AnnualPlan.issuers.through._meta.db_table, ["id", "annualplan_id", "organisation_id"],
                            issuer_rows, "engagement.annualplan_issuers")
        self.ctx.copy(PlannedActivity, activity_rows)

    # ------------------------------------------------------------------ events
    def events(self) -> None:
        from chanjiao.engagement.models import Event, EventParticipation

        unit_of = {c: u for c, u, _d in self.committees}
        committee_ids = [c for c, _u, _d in self.committees]
        committee_w = [self.units[u].weight for _c, u, _d in self.committees]
        total = self.s["engagement.event"]
        # About seven in ten planned activities are held: those events come first, the rest are unplanned.
        held = [a for a in self.activities if self.rng.random() < 0.7][:total]
        rows, co_rows = [], []
        eid = self.ctx.next_id("engagement_event")
        cid = self.ctx.next_id(Event.co_hosts.through._meta.db_table)
        self.events_by_unit: dict[int, list[tuple[int, dt.date, str]]] = {}
        for k in range(total):
            if k < len(held):
                activity, committee, year, month, kind = held[k]
                date = _day(self.rng, year, month)
            else:
                activity = None
                committee = self.rng.choices(committee_ids, committee_w)[0]
                kind = _pick(self.rng, EVENT_KINDS)
                date = _day(self.rng, self.rng.choice(YEARS))
            u = unit_of[committee]
            symposium = kind == "symposium"
            when = self.when()
            rows.append({"id": eid, "created_at": when, "updated_at": when, "kind": kind,
                         "title": f"{date.year}年{EVENT_TITLES[kind].format(c=self.units[u].short)}（{eid}）",
                         "date": date, "place": f"{self.units[u].name}", "committee_id": committee,
                         "policy_briefing": symposium and self.rng.random() < 0.8,
                         "skills_show": symposium and self.rng.random() < 0.5,
                         "seminar": symposium and self.rng.random() < 0.6, "outcome": "达成合作意向" if
                         self.rng.random() < 0.8 else "", "planned_activity_id": activity})
            depts = [v for key, v in self.authorities[u].items() if key not in ("教育局", "发改委")]
            for dept in self.rng.sample(depts, self.rng.choice((1, 1, 2))):
                co_rows.append((cid, eid, dept))
                cid += 1
            self.events_by_unit.setdefault(u, []).append((eid, date, kind))
            eid += 1
        self.ctx.copy(Event, rows)
        self.ctx.copy_plain(Event.co_hosts.through._meta.db_table, ["id", "event_id", "department_id"], co_rows,
                            "engagement.event_co_hosts")
        # Participants: enterprises (and some schools) of the event's unit, each at most once per event.
        counts = allocate(self.s["engagement.eventparticipation"], [1.0] * total)
        pid = self.ctx.next_id("engagement_eventparticipation")

        def participations() -> Any:
            nonlocal pid
            for k, n in enumerate(counts):
                event = rows[k]
                u = unit_of[event["committee_id"]]
                firms = self.enterprises_by_unit[u]
                pool = firms if len(firms) >= n else self.all_enterprises
                schools = [s for s, _l in self.schools_by_unit[u]]
                n_schools = min(len(schools), n // 10)
                chosen = self.rng.sample(schools, n_schools) + self.rng.sample(pool, n - n_schools)
                for org in chosen:
                    attended = self.rng.random() < 0.75
                    yield {"id": pid, "created_at": event["created_at"], "updated_at": event["created_at"],
                           "event_id": event["id"], "organisation_id": org, "invited": True, "attended": attended,
                           "attendees": self.rng.randint(1, 4) if attended else 0, "people": ""}
                    pid += 1

        self.ctx.copy(EventParticipation, participations())

    # ------------------------------------------------------------------ agreements
    def agreements(self) -> None:
        from chanjiao.engagement.models import Agreement

        total = self.s["engagement.agreement"]
        start_id = self.ctx.next_id("engagement_agreement")
        s_through, e_through = Agreement.schools.through, Agreement.enterprises.through
        sid, fid = self.ctx.next_id(s_through._meta.db_table), self.ctx.next_id(e_through._meta.db_table)
        school_rows: list[tuple[int, int, int]] = []
        firm_rows: list[tuple[int, int, int]] = []
        self.order_agreements: dict[int, list[int]] = {}  # school → its order-training agreements
        symposia = {u: [(e, d) for e, d, kind in evs if kind == "symposium"] for u, evs in self.events_by_unit.items()}

        def rows() -> Any:
            nonlocal sid, fid
            for k in range(total):
                aid = start_id + k
                school, _level = self.school()
                u = self.school_unit[school]
                kind = _pick(self.rng, AGREEMENT_KINDS)
                status = _pick(self.rng, STATUSES)
                signed = _day(self.rng, self.rng.choice(YEARS))
                event = None
                if symposia.get(u) and self.rng.random() < 0.05:  # signed at a symposium of its unit
                    event, signed = self.rng.choice(symposia[u])
                signed_on = None if status == "draft" and self.rng.random() < 0.7 else signed
                start = signed + dt.timedelta(days=self.rng.randint(0, 30))
                end = None if self.rng.random() < 0.1 else start + dt.timedelta(days=365 * self.rng.randint(1, 5) - 1)
                parties = [school]
                if self.rng.random() < 0.08:
                    other = self.school()[0]
                    if other != school:
                        parties.append(other)
                for p in parties:
                    school_rows.append((sid, aid, p))
                    sid += 1
                firms = {self.firm(u) for _x in range(self.rng.choice((1, 1, 1, 1, 2)))}
                for f in sorted(firms):
                    firm_rows.append((fid, aid, f))
                    fid += 1
                if kind == "order" and status != "draft":
                    self.order_agreements.setdefault(school, []).append(aid)
                committees = self.committees_by_unit.get(u, [])
                when = self.when()
                yield {"id": aid, "created_at": when, "updated_at": when,
                       "number": f"XQ{signed.year}-{aid:07d}" if self.rng.random() < 0.6 else None,
                       "title": f"{self.org_info[school][0]}与{self.org_info[min(firms)][0]}{AGREEMENT_LABELS[kind]}",
                       "kind": kind, "status": status,
                       "committee_id": self.rng.choice(committees) if committees and self.rng.random() < 0.4 else None,
                       "forms": json.dumps(self.rng.sample(FORMS, self.rng.randint(1, 2))),
                       "hosts_interns": kind in ("internship_base", "deep") and self.rng.random() < 0.7,
                       "signed_on": signed_on, "start": start, "end": end, "signing_event_id": event,
                       "predecessor_id": None, "expected_outcomes": "", "achieved_outcomes": ""}

        self.ctx.copy(Agreement, rows())
        self.ctx.copy_plain(s_through._meta.db_table, ["id", "agreement_id", "school_id"], school_rows,
                            "engagement.agreement_schools")
        self.ctx.copy_plain(e_through._meta.db_table, ["id", "agreement_id", "organisation_id"], firm_rows,
                            "engagement.agreement_enterprises")

    # ------------------------------------------------------------------ alliances
    def alliances(self) -> None:
        from chanjiao.engagement.models import Alliance

        majors = self.ctx.shared["majors"]
        aid = self.ctx.next_id("engagement_alliance")
        mid = self.ctx.next_id(Alliance.members.through._meta.db_table)
        rows, members = [], []
        symposia = {u: [(e, d) for e, d, kind in evs if kind == "symposium"] for u, evs in self.events_by_unit.items()}
        for _k in range(self.s["engagement.alliance"]):
            school, level = self.school()
            u = self.school_unit[school]
            event, founded = None, _day(self.rng, self.rng.choice(YEARS))
            if symposia.get(u) and self.rng.random() < 0.3:
                event, founded = self.rng.choice(symposia[u])
            major = self.rng.choice(majors[level])[1]
            when = self.when()
            rows.append({"id": aid, "created_at": when, "updated_at": when,
                         "name": f"{self.units[u].short}{major}专业发展联盟（{aid}）", "lead_school_id": school,
                         "founding_event_id": event, "founded": founded, "description": ""})
            for org in sorted({self.firm(u) for _x in range(self.rng.randint(3, 8))}):
                members.append((mid, aid, org))
                mid += 1
            aid += 1
        self.ctx.copy(Alliance, rows)
        self.ctx.copy_plain(Alliance.members.through._meta.db_table, ["id", "alliance_id", "organisation_id"], members,
                            "engagement.alliance_members")

    # ------------------------------------------------------------------ visits
    def visits(self) -> None:
        from chanjiao.engagement.models import Visit

        vid = self.ctx.next_id("engagement_visit")

        def rows() -> Any:
            nonlocal vid
            for _k in range(self.s["engagement.visit"]):
                school, _level = self.school()
                date = _day(self.rng, self.rng.choice(YEARS))
                when = self.when()
                yield {"id": vid, "created_at": when, "updated_at": when, "school_id": school,
                       "enterprise_id": self.firm(self.school_unit[school]), "date": date,
                       "purpose": self.rng.choice(PURPOSES), "outcome": "", "follow_up": "",
                       "follow_up_by": date + dt.timedelta(days=30) if self.rng.random() < 0.2 else None}
                vid += 1

        self.ctx.copy(Visit, rows())

    # ------------------------------------------------------------------ teacher practice
    def practices(self) -> None:
        from chanjiao.engagement.models import TeacherPractice

        total = self.s["engagement.teacherpractice"]
        teachers = self.teachers
        start_id = self.ctx.next_id("engagement_teacherpractice")
        # Records per teacher: drawn in teacher order until the total is reached (a tail of teachers has none).
        with timed(self.ctx, "engagement: plan teacher practice"):
            per: list[int] = []
            left = total
            for _t in teachers:
                n = min(left, self.rng.choices((0, 1, 2, 3, 4, 5), (10, 25, 30, 20, 10, 5))[0])
                per.append(n)
                left -= n
            i = 0
            while left > 0:  # top up round the teachers (small scales)
                per[i % len(per)] += 1
                left -= 1
                i += 1

        def rows() -> Any:
            pid = start_id
            for (teacher, school), n in zip(teachers, per, strict=True):
                if not n:
                    continue
                u = self.school_unit[school]
                mine = []
                for _k in range(n):
                    if mine and self.rng.random() < 0.12:  # overlaps an earlier record of the same teacher
                        prev_start, prev_end = mine[-1][1], mine[-1][2]
                        span = max(0, (prev_end - prev_start).days)
                        start = prev_start + dt.timedelta(days=self.rng.randint(0, span))
                    else:
                        start = _day(self.rng, self.rng.choice(YEARS))
                    end = start + dt.timedelta(days=self.rng.choice((6, 13, 29, 59, 89, 179)) - self.rng.randint(0, 5))
                    mine.append((pid, start, end))
                    pid += 1
                # counted_days as services.recount_practice_days: the days past the furthest end of the
                # teacher's earlier records, in (start, id) order.
                counted: dict[int, int] = {}
                reach = None
                for rid, start, end in sorted(mine, key=lambda r: (r[1], r[0])):
                    first = start if reach is None else max(start, reach + dt.timedelta(days=1))
                    counted[rid] = max(0, (end - first).days + 1)
                    reach = end if reach is None else max(reach, end)
                for rid, start, end in mine:
                    when = self.when()
                    yield {"id": rid, "created_at": when, "updated_at": when, "teacher_id": teacher,
                           "enterprise_id": self.firm(u), "start": start, "end": end,
                           "form": self.rng.choice(PRACTICE_FORMS), "content": "",
                           "pre_service": self.rng.random() < 0.05,
                           "appraisal": self.rng.choice(APPRAISALS), "appraisal_note": "",
                           "days": (end - start).days + 1, "counted_days": counted[rid]}

        self.ctx.copy(TeacherPractice, rows())

    # ------------------------------------------------------------------ order classes
    def order_classes(self) -> None:
        from chanjiao.engagement.models import OrderClass

        majors = self.ctx.shared["majors"]
        oid = self.ctx.next_id("engagement_orderclass")
        rows = []
        for k in range(self.s["engagement.orderclass"]):
            school, level = self.school()
            u = self.school_unit[school]
            year = self.rng.choice(YEARS)
            _code, major_name, major_id = self.rng.choice(majors[level])
            firm = self.firm(u)
            planned = self.rng.randint(30, 60)
            enrolled = max(1, planned - self.rng.randint(0, 12))
            graduates = hired = retained = None
            if year <= 2018:  # cohorts that have graduated by 2020/2021
                graduates = enrolled - self.rng.randint(0, 3)
                hired = max(0, graduates - self.rng.randint(0, 15))
                retained = max(0, hired - self.rng.randint(0, 8))
            agreements = self.order_agreements.get(school)
            when = self.when()
            rows.append({"id": oid, "created_at": when, "updated_at": when, "school_id": school, "enterprise_id": firm,
                         "major_id": major_id, "cohort_year": year, "name": f"{major_name}订单班（{k + 1}）",
                         "planned": planned, "enrolled": enrolled,
                         "agreement_id": (self.rng.choice(agreements) if agreements and self.rng.random() < 0.6
                                          else None),
                         "mentors": "", "graduates": graduates, "hired": hired, "retained": retained})
            oid += 1
        self.ctx.copy(OrderClass, rows)


def generate(ctx: Context) -> None:
    EngagementGenerator(ctx).run()
