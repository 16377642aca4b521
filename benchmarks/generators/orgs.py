"""Organisations, people and the vocational groups of Hubei's 17 prefecture-level units.

Per unit: its education bureau and ten industry authorities (the demo city's departments), schools
and enterprises in its counties by the unit's weight (Wuhan largest), associations and institutes,
one vocational group with two board terms, the 11 pillar industries with one 产学合作委员会 each and
their memberships, and per school three 专业教学指导委员会 with their members. Names follow the demo
city's ideas (chanjiao/demo/city.py: a place word, a trade word that fits the GB/T 4754 小类);
rows go in through COPY, each with its ``create`` audit event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from benchmarks.generators import (
    COMMITTEE_OFFICERS,
    DEPARTMENTS,
    GUIDANCE_MEMBERS,
    GUIDANCE_PER_SCHOOL,
    OFFICER_SEATS,
    Context,
    allocate,
    at,
    completer,
    timed,
)
from benchmarks.generators.audit import EventLog

HIGHER_NAMES = ["{c}职业技术学院", "{c}工程职业学院", "{c}科技职业学院", "{c}城市职业学院", "{c}交通职业技术学院",
                "{c}医药职业学院", "{c}商贸职业学院", "{c}信息职业技术学院", "{c}铁路职业技术学院", "{c}软件职业学院",
                "{c}艺术职业学院", "{c}航空职业学院", "{c}电力职业技术学院", "{c}农业职业技术学院", "{c}财经职业学院",
                "{c}旅游职业学院", "{c}工贸职业学院", "{c}体育职业学院", "{c}幼儿师范高等专科学校", "{c}警官职业学院"]
HIGHER_SUFFIXES = ["职业学院", "职业技术学院", "工程职业学院", "科技职业学院"]
SECONDARY_NAMES = ["{c}机电工程学校", "{c}卫生学校", "{c}商贸职业学校", "{c}旅游学校", "{c}艺术职业学校",
                   "{c}交通职业学校", "{c}信息技术学校", "{c}建筑职业学校", "{c}农业职业学校", "{c}财贸学校",
                   "{c}食品工业学校", "{c}化工技工学校", "{c}工业学校", "{c}城市建设学校", "{c}电子信息学校"]
SECONDARY_SUFFIXES = ["职业学校", "中等专业学校", "技工学校", "职业技术学校"]
ROADS = ["发展大道", "解放路", "人民路", "建设大道", "中山路", "沿江大道", "东湖路", "新华路", "光谷大道", "胜利街",
         "和平大道", "长江路", "科技路", "工业园路", "滨江路", "文化路"]
ASSOCIATION_TOPICS = ["电子商务协会", "农业产业化协会", "医药行业协会", "化工行业协会", "文化创意产业协会", "旅游协会",
                      "机械工业协会", "软件行业协会", "物流协会", "食品工业协会", "建筑业协会", "汽车工业协会",
                      "光电子产业协会", "家政服务业协会", "餐饮行业协会", "职业教育协会"]
INSTITUTE_TOPICS = ["农业科学研究院", "工业技术研究院", "智能制造研究院", "化工研究所", "医药研究所", "水利水电研究所",
                    "交通规划设计研究院", "建筑设计研究院", "光电技术研究所", "食品研究所"]
SEAT_TITLES = {"chair": "院长", "vice_chair": "副局长", "secretary_general": "职教处处长",
               "deputy_secretary_general": "分管副局长", "director": "校长"}
GUIDANCE_TITLES = ["技术总监", "生产部经理", "高级工程师", "人力资源部经理", "总工程师", "培训主管"]
CONTACT_TITLES = {"enterprise": ["人力资源部经理", "总经理", "培训主管", "行政部主任"],
                  "school": ["校长", "教务处主任", "招生就业处主任", "校企合作办主任"],
                  "department": ["局长", "副局长", "科长", "职教处处长"],
                  "association": ["秘书长", "副会长"], "institute": ["所长", "办公室主任"]}
SIZE_WEIGHTS = [("medium", 1), ("small", 3), ("micro", 2)]
HEADCOUNT = {"large": (1000, 6000), "medium": (300, 999), "small": (20, 299), "micro": (5, 19)}
OWNERSHIP = ["private"] * 6 + ["state", "mixed", "foreign", "collective", "hmt"]
SEAT_LABELS = {"chair": "理事长", "vice_chair": "副理事长", "secretary_general": "秘书长",
               "deputy_secretary_general": "副秘书长", "director": "理事"}
COMMITTEE_ROLE_LABELS = {"director": "主任单位", "vice_director": "副主任单位", "secretary": "秘书单位",
                         "member": "成员单位"}
PILLAR_SHARE = 0.6  # enterprises generated from a pillar trade (named after it); the rest any 小类


def _uscc(prefix: str, county: str, middle: str, serial: int) -> str:
    from stdnum.cn import uscc

    body = f"{prefix}{county}{middle}{serial:07d}"
    return body + uscc.calc_check_digit(body)


def _permute(i: int) -> int:
    """A bijection of 0…10^7−1 (odd multiplier, not a multiple of 5): unique serials that look random."""
    return (i * 7_919_423 + 1_234_567) % 10_000_000


class OrgGenerator:
    def __init__(self, ctx: Context, log: EventLog) -> None:
        from chanjiao.demo import city

        self.ctx, self.log, self.demo = ctx, log, city
        self.rng = ctx.rng("orgs")
        self.units = ctx.shared["units"]
        self.sizes = ctx.sizes
        self.org_rows: list[dict[str, Any]] = []
        self.org_info: dict[int, tuple[str, str, int, float]] = {}  # id → (name, kind, unit index, day)
        self.next_org = ctx.next_id("orgs_organisation")
        self.names: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def rid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def person(self) -> str:
        d = self.demo
        return self.rng.choice(d.SURNAMES) + "".join(self.rng.choice(d.GIVEN) for _ in range(self.rng.choice((1, 2))))

    def mobile(self) -> str:
        return self.rng.choice(["139", "158", "186", "177", "135", "152", "131", "188"]) + \
            f"{self.rng.randrange(10**8):08d}"

    def address(self, county_name: str) -> str:
        return f"{county_name}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"

    def county(self, u: int, urban_weight: float = 3.0) -> tuple[str, str, int]:
        counties = self.units[u].counties
        weights = [urban_weight if name.endswith("区") else 1.0 for _c, name, _r in counties]
        return self.rng.choices(counties, weights=weights)[0]

    def unique(self, candidates: list[str], fallback: Any) -> str:
        for name in candidates:
            if name not in self.names:
                self.names.add(name)
                return name
        for _try in range(50):
            name = fallback()
            if name not in self.names:
                self.names.add(name)
                return name
        n = 2
        while f"{name}（{n}）" in self.names:
            n += 1
        self.names.add(f"{name}（{n}）")
        return f"{name}（{n}）"

    def org(self, kind: str, name: str, u: int, day: float, **fields: Any) -> dict[str, Any]:
        from chanjiao.core.text import pinyin_initials

        oid = self.next_org
        self.next_org += 1
        when = at(day)
        row = {"id": oid, "created_at": when, "updated_at": when, "kind": kind, "name": name,
               "initials": pinyin_initials(name), "is_demo": False, **fields}
        self.org_rows.append(row)
        self.org_info[oid] = (name, kind, u, day)
        return row

    # ------------------------------------------------------------------ steps
    def run(self) -> None:
        with timed(self.ctx, "orgs: plan organisations"):
            self.departments()
            self.schools()
            self.associations_institutes()
            self.enterprises()
        self.write_organisations()
        self.contacts()
        self.teachers()
        self.groups()
        self.guidance()
        self.ctx.shared.update(
            org_info=self.org_info, bureaus=self.bureaus, province_bureau=self.province_bureau,
            authorities=self.authorities, schools_by_unit=self.schools_by_unit,
            enterprises_by_unit=self.enterprises_by_unit, committees=self.committee_info)

    def departments(self) -> None:
        self.bureaus: list[int] = []
        self.authorities: list[dict[str, int]] = []
        row = self.org("department", "湖北省教育厅", -1, 0.0, short_name="省教育厅",
                       region_id=self.ctx.shared["province_region_id"], address="武汉市武昌区水果湖路")
        self.province_bureau = row["id"]
        for u, unit in enumerate(self.units):
            depts: dict[str, int] = {}
            for k, (pattern, short, authority) in enumerate(DEPARTMENTS):
                row = self.org("department", pattern.format(city=unit.name), u, 0.01 + u * 0.02 + k * 0.001,
                               short_name=f"{unit.short}{short}", region_id=unit.region_id,
                               is_industry_authority=authority, address=self.address(unit.counties[0][1]))
                depts[short] = row["id"]
            self.bureaus.append(depts["教育局"])
            self.authorities.append(depts)

    def schools(self) -> None:
        total = self.sizes["orgs.organisation:school"]
        per_unit = allocate(total, [unit.weight for unit in self.units])
        self.schools_by_unit: list[list[tuple[int, str]]] = [[] for _ in self.units]
        serial = 0
        for u, (unit, n) in enumerate(zip(self.units, per_unit, strict=True)):
            higher = round(n * 0.35)
            county_centres = [c for c in unit.counties if not c[1].endswith("区")] or list(unit.counties)
            for k in range(n):
                serial += 1
                level = "associate" if k < higher else "secondary"
                c = unit.short
                if level == "associate":
                    county = self.county(u, urban_weight=10.0)
                    name = self.unique([p.format(c=c) for p in HIGHER_NAMES], lambda c=c: (
                        f"{c}{self.rng.choice(self.demo.NAME_WORDS)}{self.rng.choice(HIGHER_SUFFIXES)}"))
                    authority = self.rng.choice(["湖北省教育厅", f"{unit.name}人民政府"])
                else:
                    j = k - higher
                    county = county_centres[j] if j < len(county_centres) else self.county(u)
                    own = county[1].removesuffix("县").removesuffix("市") if j < len(county_centres) else ""
                    first = [f"{own}职业教育中心"] if own else []
                    name = self.unique(first + [p.format(c=c) for p in SECONDARY_NAMES], lambda c=c: (
                        f"{c}{self.rng.choice(self.demo.NAME_WORDS)}{self.rng.choice(SECONDARY_SUFFIXES)}"))
                    authority = f"{unit.name}教育局"
                code = f"4142{(serial * 7919 + 12345) % 10**6:06d}"  # 7919 is prime to 10: unique
                row = self.org("school", name, u, 0.5 + 9.0 * serial / total, school_code=code,
                               school_level=level, funding="public" if self.rng.random() < 0.85 else "private",
                               competent_authority=authority, region_id=county[2], address=self.address(county[1]))
                self.schools_by_unit[u].append((row["id"], level))
        self.all_schools = [s for unit in self.schools_by_unit for s in unit]

    def associations_institutes(self) -> None:
        self.others_by_unit: list[list[int]] = [[] for _ in self.units]
        weights = [unit.weight for unit in self.units]
        serial = 0
        for kind, topics, prefix, middle in (("association", ASSOCIATION_TOPICS, "51", "MJ"),
                                             ("institute", INSTITUTE_TOPICS, "12", "MB")):
            total = self.sizes[f"orgs.organisation:{kind}"]
            for u, n in enumerate(allocate(total, weights)):
                unit = self.units[u]
                for _k in range(n):
                    serial += 1
                    county = self.county(u)
                    name = self.unique([f"{unit.name}{t}" for t in topics], lambda unit=unit, topics=topics: (
                        f"{unit.short}{self.rng.choice(self.demo.NAME_WORDS)}{self.rng.choice(topics)}"))
                    row = self.org(kind, name, u, 1.0 + 10.0 * self.rng.random(),
                                   uscc=_uscc(prefix, county[0], middle, _permute(serial)), region_id=county[2],
                                   address=self.address(county[1]))
                    self.others_by_unit[u].append(row["id"])

    def enterprises(self) -> None:
        d = self.demo
        ids = self.ctx.shared["industry_ids"]
        leaves = self.ctx.shared["leaf_industries"]
        trades = [(p.name, code, words) for p in d.PILLARS for code, words in sorted(d.TRADES[p.name].items())
                  if code in ids]
        self.pillar_firms: dict[tuple[int, str], list[int]] = {}
        self.enterprises_by_unit: list[list[int]] = [[] for _ in self.units]
        self.leading_by_unit: list[list[int]] = [[] for _ in self.units]
        total = self.sizes["orgs.organisation:enterprise"]
        per_unit = allocate(total, [unit.weight for unit in self.units])
        serial = 0
        # Imported by each unit's bureau in files of up to 1,000 rows over days 15–300.
        batches = max(1, sum(-(-n // 1000) for n in per_unit))
        self.enterprise_batches: list[tuple[int, str, int]] = []  # (unit, request id, first row index)
        for u, n in enumerate(per_unit):
            unit = self.units[u]
            for k in range(n):
                if k % 1000 == 0:
                    self.enterprise_batches.append((u, self.rid(), len(self.org_rows)))
                batch = len(self.enterprise_batches) - 1
                day = 15 + 285 * batch / batches + (k % 1000) * 1e-6
                leading = self.rng.random() < 0.01
                if self.rng.random() < PILLAR_SHARE:
                    pillar, code, words = self.rng.choice(trades)
                    trade = self.rng.choice(words)
                else:
                    pillar = ""
                    code, iname, _rid = self.rng.choice(leaves)
                    iname = iname.removeprefix("其他")  # "其他煤炭采选" names no firm
                    trade = iname if len(iname) <= 6 else iname[:4]
                county = self.county(u)
                suffix = "集团有限公司" if leading else self.rng.choice(["有限公司"] * 4 + ["股份有限公司"])

                def fallback(unit: Any = unit, trade: str = trade, suffix: str = suffix) -> str:
                    place = self.rng.choice(d.NAME_WORDS) + self.rng.choice(d.NAME_WORDS)[0]
                    return f"{unit.short}{place}{trade}{suffix}"

                name = self.unique([], fallback)
                size = "large" if leading else self.rng.choices([s for s, _w in SIZE_WEIGHTS],
                                                                [w for _s, w in SIZE_WEIGHTS])[0]
                serial += 1
                established = dt.date(1985, 1, 1) + dt.timedelta(days=self.rng.randrange(14_600))
                row = self.org(
                    "enterprise", name, u, day, uscc=_uscc("91", county[0], "MA", _permute(serial)),
                    industry_id=ids[code], region_id=county[2], address=self.address(county[1]), size=size,
                    ownership=self.rng.choice(OWNERSHIP), headcount=self.rng.randint(*HEADCOUNT[size]),
                    headcount_date=dt.date(2024, 12, 31), is_leading=leading, established=established)
                self.enterprises_by_unit[u].append(row["id"])
                if leading:
                    self.leading_by_unit[u].append(row["id"])
                if pillar:
                    self.pillar_firms.setdefault((u, pillar), []).append(row["id"])
        self.all_enterprises = [e for unit in self.enterprises_by_unit for e in unit]

    def write_organisations(self) -> None:
        from chanjiao.orgs.models import Organisation

        with timed(self.ctx, "orgs: audit snapshots"):
            complete = completer(Organisation)
            province = ("province",)
            batch_of: dict[int, tuple[int, str]] = {}
            for i, (u, rid, first) in enumerate(self.enterprise_batches):
                end = self.enterprise_batches[i + 1][2] if i + 1 < len(self.enterprise_batches) else len(self.org_rows)
                for j in range(first, end):
                    batch_of[j] = (u, rid)
            for j, row in enumerate(self.org_rows):
                complete(row)
                if row["kind"] == "enterprise":
                    u, rid = batch_of[j]
                    self.log.create(Organisation, row, row["name"], ("bureau", u), "task:import", rid)
                else:
                    self.log.create(Organisation, row, row["name"], province, "web", self.rid())
            # A year of edits: headcounts re-reported (the create event keeps the old value).
            updates = self.ctx.sizes["audit:data_update"]
            enterprises = [r for r in self.org_rows if r["kind"] == "enterprise"]
            for row in self.rng.sample(enterprises, min(updates, len(enterprises))):
                when = at(300 + 64 * self.rng.random())
                before = {"headcount": row["headcount"], "headcount_date": row["headcount_date"],
                          "updated_at": row["updated_at"]}
                row["headcount"] = max(1, round(row["headcount"] * self.rng.uniform(0.8, 1.25)))
                row["headcount_date"] = dt.date(2025, 12, 31)
                row["updated_at"] = when
                changes = {k: [v, row[k]] for k, v in before.items()}
                u = self.org_info[row["id"]][2]
                self.log.update(Organisation, row["id"], row["name"], when, changes, ("bureau", u), "web", self.rid())
        self.ctx.copy(Organisation, self.org_rows)
        self.org_rows = []

    def contacts(self) -> None:
        from chanjiao.orgs.models import Contact

        total = self.sizes["orgs.contact"]
        # Schools, departments, associations and institutes first, then enterprises (leading ones
        # twice); each organisation's first contact is its primary one.
        first = [oid for oid, (_n, kind, _u, _d) in self.org_info.items() if kind != "enterprise"]
        firms = list(self.all_enterprises)
        self.rng.shuffle(firms)
        slots = [(oid, 0) for oid in first] + [(oid, 0) for oid in firms]
        leading = set(self.leading_ids())
        slots += [(oid, 1) for oid in first] + [(oid, 1) for oid in firms if oid in leading]
        slots = slots[:total]
        slots.sort()
        start = self.ctx.next_id("orgs_contact")
        complete = completer(Contact)
        rows = []
        with timed(self.ctx, "orgs: plan contacts"):
            for n, (oid, k) in enumerate(slots):
                oname, kind, u, day = self.org_info[oid]
                when = at(min(364.9, day + 0.01 + 30 * self.rng.random()))
                name = self.person()
                phone = self.mobile() if k == 0 else f"027-8{self.rng.randrange(10**6):06d}"
                row = complete({"id": start + n, "created_at": when, "updated_at": when, "organisation_id": oid,
                                "name": name, "title": self.rng.choice(CONTACT_TITLES[kind]), "phone": phone,
                                "email": f"c{start + n}@example.cn", "is_primary": k == 0, "note": ""})
                rows.append(row)
                self.log.create(Contact, row, f"{name}（{oname}）", ("bureau", u) if u >= 0 else ("province",), "web",
                                self.rid())
        self.ctx.copy(Contact, rows)

    def leading_ids(self) -> list[int]:
        return [e for unit in self.leading_by_unit for e in unit]

    def teachers(self) -> None:
        from chanjiao.orgs.models import Teacher

        total = self.sizes["orgs.teacher"]
        schools = self.all_schools
        counts = allocate(total, [1.8 if level == "associate" else 1.0 for _sid, level in schools])
        majors = self.ctx.shared["majors"]
        start = self.ctx.next_id("orgs_teacher")
        complete = completer(Teacher)
        rows = []
        tid = start
        # Its own stream, so adding the category left every other generated value as it was.
        categories = self.ctx.rng("orgs/teacher-category")
        with timed(self.ctx, "orgs: plan teachers"):
            for (sid, level), n in zip(schools, counts, strict=True):
                sname, _kind, _u, sday = self.org_info[sid]
                subjects = [m[1] for m in self.rng.sample(majors[level], 12)]
                rid = self.rid()
                base = min(300.0, sday + 10 + 170 * self.rng.random())
                for k in range(1, n + 1):
                    dual = self.rng.random() < 0.55
                    # One decimal place, as the column (max_digits=4, decimal_places=1) gives it back.
                    years = Decimal(self.rng.choice(["0.5", "1.0", "2.0", "3.0", "5.0", "8.0"]) if dual
                                    else self.rng.choice(["0.0", "0.0", "0.0", "1.0", "2.0"]))
                    when = at(base + k * 1e-6)
                    name = self.person()
                    row = complete({
                        "id": tid, "created_at": when, "updated_at": when, "school_id": sid, "name": name,
                        "employee_no": f"T{k:05d}", "subject": self.rng.choice(subjects), "is_dual_qualified": dual,
                        # 专业课 60 %, 实习指导 15 %, 公共基础课 25 % (TP-01 binds the first two).
                        "category": categories.choices(("subject", "instructor", "general"), (60, 15, 25))[0],
                        "enterprise_years": years,
                        "hire_date": dt.date(self.rng.randint(1995, 2024), self.rng.randint(1, 12), 1)})
                    rows.append(row)
                    self.log.create(Teacher, row, f"{name}（{sname}）", ("school", sid), "task:import", rid)
                    tid += 1
        self.ctx.copy(Teacher, rows)

    def groups(self) -> None:
        from chanjiao.orgs.models import (
            BoardSeat,
            BoardTerm,
            Committee,
            CommitteeMembership,
            PillarIndustry,
            VocationalGroup,
        )

        d = self.demo
        ids = self.ctx.shared["industry_ids"]
        inames = self.ctx.shared["industry_names"]
        rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in (VocationalGroup, BoardTerm, BoardSeat, PillarIndustry,
                                                                  Committee, CommitteeMembership)}
        nid = {m: self.ctx.next_id(m._meta.db_table) for m in rows}
        through = PillarIndustry.industries.through
        through_rows: list[tuple[int, int, int]] = []
        through_id = self.ctx.next_id(through._meta.db_table)
        self.committee_info: list[tuple[int, int, int]] = []  # (committee id, unit, director org id)
        directors_per_term = self.sizes["orgs.boardseat"] // self.sizes["orgs.boardterm"] - OFFICER_SEATS
        members_per_committee = self.sizes["orgs.committeemembership"] // self.sizes["orgs.committee"] \
            - COMMITTEE_OFFICERS

        def new(model: Any, day: float, repr_: str, actor: Any, **fields: Any) -> dict[str, Any]:
            when = at(day)
            row = completer(model)({"id": nid[model], "created_at": when, "updated_at": when, **fields})
            nid[model] += 1
            rows[model].append(row)
            self.log.create(model, row, repr_, actor, "web", self.rid())
            return row

        name = self.org_name
        for u, unit in enumerate(self.units):
            actor = ("bureau", u)
            depts = self.authorities[u]
            bureau = self.bureaus[u]
            schools = self.schools_by_unit[u] or self.all_schools
            higher = [s for s, level in schools if level == "associate"] or [s for s, _l in schools]
            secondary = [s for s, level in schools if level == "secondary"] or [s for s, _l in schools]
            lead = higher[0] if self.schools_by_unit[u] else None
            firms = self.enterprises_by_unit[u] or self.all_enterprises
            founded = dt.date(2013 + u % 5, 6, 28)
            day0 = 1.0 + u * 0.5
            group = new(VocationalGroup, day0, f"{unit.name}职业教育集团", actor, name=f"{unit.name}职业教育集团",
                        short_name=f"{unit.short}职教集团", founded=founded, approved_by=f"{unit.name}人民政府",
                        secretariat_id=bureau, lead_school_id=lead, region_id=unit.region_id,
                        description=f"由{unit.name}教育局牵头，联合区域内中高职院校、行业主管部门和行业企业组建。")
            term1_end = founded.replace(year=founded.year + 3)
            term2_start = term1_end + dt.timedelta(days=1)
            pool = [s for s, _l in schools] + (self.leading_by_unit[u] or firms[:50]) + self.others_by_unit[u]
            for number, start, end in ((1, founded, term1_end), (2, term2_start, None)):
                term = new(BoardTerm, day0 + 0.01 * number, f"{unit.short}职教集团 第{number}届理事会", actor,
                           group_id=group["id"], number=number, elected_at=start, start_date=start, end_date=end,
                           note="集团成立" if number == 1 else "换届")
                officers = [("chair", lead or bureau), ("vice_chair", bureau), ("vice_chair", higher[-1]),
                            ("secretary_general", bureau), ("deputy_secretary_general", depts["商务局"]),
                            ("deputy_secretary_general", depts["经信局"])]
                chosen = self.rng.sample(pool, directors_per_term) if len(pool) >= directors_per_term \
                    else self.rng.choices(pool, k=directors_per_term)
                officers += [("director", org) for org in chosen]
                for k, (role, org) in enumerate(officers):
                    person = self.person()
                    new(BoardSeat, day0 + 0.02 + k * 1e-5, f"{SEAT_LABELS[role]} {name(org)} {person}", actor,
                        term_id=term["id"], role=role, organisation_id=org, contact_id=None, person_name=person,
                        person_title=SEAT_TITLES[role])
            for order, p in enumerate(d.PILLARS, start=1):
                pday = day0 + 0.1 + order * 0.001
                pillar = new(PillarIndustry, pday, p.name, actor, group_id=group["id"], name=p.name, order=order,
                             description="")
                codes = [c for c in p.codes if c in ids]
                linked = [ids[c] for c in codes]
                for iid in linked:
                    through_rows.append((through_id, pillar["id"], iid))
                    through_id += 1
                # The m2m receiver's event: {industries: [before, after], industries_names: […]}.
                names = [f"{c} {inames[c]}" for c in codes]
                self.log.update(PillarIndustry, pillar["id"], p.name, at(pday + 1e-5),
                                {"industries": [[], linked], "industries_names": [[], names]}, actor, "web", self.rid())
                if p.director:
                    short = "宣传部" if p.director == "市委宣传部" else p.director.removeprefix("市")
                    director = depts[short]
                else:
                    director = (self.leading_by_unit[u] or self.pillar_firms.get((u, p.name)) or [depts["经信局"]])[0]
                vice = self.rng.choice(higher)
                secretary = self.rng.choice(secondary)
                cname = f"{p.name}产学合作委员会"
                committee = new(Committee, pday + 2e-5, cname, actor, group_id=group["id"], pillar_id=pillar["id"],
                                name=cname, director_id=director, vice_director_id=vice, secretary_id=secretary,
                                founded=term2_start, active=True)
                self.committee_info.append((committee["id"], u, director))
                candidates = [f for f in (self.pillar_firms.get((u, p.name)) or firms) if f != director]
                if len(candidates) < members_per_committee:
                    candidates = [f for f in self.all_enterprises + self.others_by_unit[u] if f != director]
                members = self.rng.sample(candidates, members_per_committee) \
                    if len(candidates) >= members_per_committee else self.rng.choices(candidates or [director],
                                                                                      k=members_per_committee)
                lineup = [(director, "director"), (vice, "vice_director"), (secretary, "secretary")]
                lineup += [(org, "member") for org in members]
                mday = 10 + 50 * self.rng.random()
                for k, (org, role) in enumerate(lineup):
                    left = None
                    if role == "member" and self.rng.random() < 0.08:
                        left = term2_start.replace(year=term2_start.year + self.rng.randint(2, 4))
                    new(CommitteeMembership, mday + k * 1e-5, f"{cname} · {name(org)} · {COMMITTEE_ROLE_LABELS[role]}",
                        actor, committee_id=committee["id"], organisation_id=org, role=role,
                        person_name=self.person(), joined=term2_start, left=left, note="")
        for model, model_rows in rows.items():
            self.ctx.copy(model, model_rows)
        self.ctx.copy_plain(through._meta.db_table, ["id", "pillarindustry_id", "industry_id"], through_rows,
                            "orgs.pillarindustry_industries")
        self.groups_by_unit = {u: [c for c, cu, _d in self.committee_info if cu == u] for u in range(len(self.units))}

    def org_name(self, oid: int) -> str:
        return self.org_info[oid][0]

    def guidance(self) -> None:
        from chanjiao.orgs.models import GuidanceCommittee, GuidanceMember

        majors = self.ctx.shared["majors"]
        gc_rows, gm_rows = [], []
        gid, mid = self.ctx.next_id("orgs_guidancecommittee"), self.ctx.next_id("orgs_guidancemember")
        gc_complete, gm_complete = completer(GuidanceCommittee), completer(GuidanceMember)
        with timed(self.ctx, "orgs: plan guidance committees"):
            for sid, level in self.all_schools:
                sname, _kind, u, sday = self.org_info[sid]
                firms = self.enterprises_by_unit[u] or self.all_enterprises
                actor = ("school", sid)
                for code, major_name, major_id in self.rng.sample(majors[level], GUIDANCE_PER_SCHOOL):
                    del code
                    founded = dt.date(self.rng.randint(2017, 2024), self.rng.randint(1, 12), 1)
                    day = min(360.0, sday + 30 + 90 * self.rng.random())
                    gname = f"{major_name}专业教学指导委员会"
                    committees = self.groups_by_unit.get(u) or [None]
                    gc = gc_complete({"id": gid, "created_at": at(day), "updated_at": at(day), "school_id": sid,
                                      "name": gname, "major_id": major_id, "committee_id": self.rng.choice(committees),
                                      "founded": founded, "active": True})
                    gc_rows.append(gc)
                    self.log.create(GuidanceCommittee, gc, f"{sname} {gname}", actor, "web", self.rid())
                    experts = self.rng.sample(firms, GUIDANCE_MEMBERS - 1) if len(firms) >= GUIDANCE_MEMBERS - 1 \
                        else self.rng.choices(firms, k=GUIDANCE_MEMBERS - 1)
                    lineup = [(sid, "chair", "分管副校长")]
                    lineup += [(f, "vice_chair" if k == 0 else "member", self.rng.choice(GUIDANCE_TITLES))
                               for k, f in enumerate(experts)]
                    for k, (org, role, title) in enumerate(lineup):
                        person = self.person()
                        when = at(day + (k + 1) * 1e-5)
                        gm = gm_complete({"id": mid, "created_at": when, "updated_at": when, "committee_id": gid,
                                          "organisation_id": org, "person_name": person, "person_title": title,
                                          "role": role, "joined": founded, "left": None})
                        gm_rows.append(gm)
                        self.log.create(GuidanceMember, gm, f"{person}（{self.org_name(org)}）", actor, "web",
                                        self.rid())
                        mid += 1
                    gid += 1
        self.ctx.copy(GuidanceCommittee, gc_rows)
        self.ctx.copy(GuidanceMember, gm_rows)


def generate(ctx: Context, log: EventLog) -> None:
    OrgGenerator(ctx, log).run()
