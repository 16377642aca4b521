"""The demo city's major layout 2005–2020 (issue #10, MISSION part 3): each school's majors (专业点), their
yearly figures 2013–2020, the expert pool, and the two rounds of defence reviews (June 2017, December 2019)
that took the city from 149 majors at the end of the 12th five-year plan to 49.

The plan is made in memory first, from random streams of its own (``SEED`` and the kind of record), so
it never shifts the other steps' draws: every offering has a fate — kept, cut in the first round or cut in
the second — and its figures, scores and decisions follow from it (the majors cut are the weak ones: low
enrolment against plan, low employment). The counts are exact by construction: 149 distinct majors live
on 2015-12-31, ``AFTER_ROUND_1`` after the first round, 49 after the second (``history.layout_on`` computes
them; nothing stores them). Rows are bulk-inserted with one audit event each (``audit.record_bulk``);
every status moves through ``set_status`` by the demo bureau — decisions by ``apply``, which moves the
offering dated by the decision (``effective_on``). Each step inserts only what is missing, and takes a
transition only from the state that needs it, so a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Sum
from django.utils import timezone

from chanjiao.accounts.models import User
from chanjiao.catalog.models import Industry, Major
from chanjiao.core import audit
from chanjiao.core.workflow import StatusChange
from chanjiao.demo.plan import CITY_CODE, GIVEN, SEED, SURNAMES
from chanjiao.layout import crosswalk
from chanjiao.layout.models import (
    ConflictDeclaration,
    CrosswalkEntry,
    Decision,
    DecisionStatus,
    DeclaredDemand,
    EducationLevel,
    Expert,
    ExpertAssignment,
    Offering,
    OfferingStatus,
    OfferingYear,
    ProposedAction,
    ReviewRound,
    RoundStatus,
    RubricCriterion,
    Score,
    Submission,
    SubmissionItem,
)
from chanjiao.orgs.models import CommitteeMembership, Organisation

if TYPE_CHECKING:
    from chanjiao.demo.city import City

# -------------------------------------------------------------------------------------------------- the plan
# The seed: 149 majors at the end of the 12th five-year plan (2015), 49 after the second round (2019-12).
MAJORS_2015 = 149
AFTER_ROUND_1 = 90
END_OF_12TH_PLAN = dt.date(2015, 12, 31)
FIGURE_YEARS = range(2013, 2021)

# The majors that survive both rounds: (2021 catalogue name, pillar of the school that anchors it, copies at
# the county centres). A copy may still be cut as a duplicate — the anchor never is.
CORE_SECONDARY: list[tuple[str, int, int]] = [
    ("电子商务", 0, 4), ("会计事务", 0, 2), ("市场营销", 0, 0), ("作物生产技术", 1, 2), ("农产品营销与储运", 1, 1),
    ("畜禽生产技术", 1, 1), ("茶叶生产与加工", 1, 2), ("护理", 2, 1), ("药剂", 2, 0), ("康复技术", 2, 1),
    ("医学检验技术", 2, 0), ("化学工艺", 3, 1), ("精细化工技术", 3, 0), ("数字影像技术", 4, 0), ("幼儿保育", 4, 4),
    ("旅游服务与管理", 5, 3), ("高星级饭店运营与管理", 5, 1), ("中餐烹饪", 5, 2), ("导游服务", 5, 1),
    ("机电技术应用", 6, 4), ("数控技术应用", 6, 1), ("焊接技术应用", 6, 1), ("电气设备运行与控制", 6, 1),
    ("计算机应用", 7, 6), ("计算机网络技术", 7, 1), ("电子技术应用", 7, 2), ("物流服务与管理", 8, 1),
    ("汽车运用与维修", 8, 4), ("食品加工工艺", 9, 1), ("食品安全与检测技术", 9, 0), ("建筑工程施工", 10, 2),
]
# (name, the college (index in HIGHER) that anchors it, whether the next college also offers it).
CORE_ASSOCIATE: list[tuple[str, int, bool]] = [
    ("电子商务", 0, True), ("数字媒体技术", 0, False), ("旅游管理", 0, False), ("软件技术", 0, True),
    ("护理", 1, False), ("药学", 1, False), ("现代农业技术", 1, False), ("应用化工技术", 2, False),
    ("机电一体化技术", 2, True), ("现代物流管理", 2, False), ("建筑工程技术", 2, False),
]
# Majors opened by a round: (round, name, level, the school — a pillar's specialty school, a college's index,
# or a county centre's name). The last one opens an existing major at one more school (no new major).
OPENS: list[tuple[int, str, str, Any]] = [
    (1, "工业机器人技术应用", "secondary", 6), (1, "新能源汽车运用与维修", "secondary", 8),
    (1, "城市轨道交通运营服务", "secondary", 8), (1, "工业机器人技术", "associate", 2),
    (2, "直播电商服务", "secondary", 0), (2, "大数据技术应用", "secondary", 7), (2, "智能制造装备技术", "associate", 2),
    (2, "电子商务", "secondary", "秭归"),
]
# Off-catalogue majors (MJ-02, 中职 only) at county centres; weak, cut in the first round.
OFF_CATALOGUE = [("柑橘生产与营销", ("秭归", "宜都")), ("三峡旅游工艺品制作", ("兴山",))]
# Of the weak catalogue majors, how many are the colleges' (the rest are 中职 majors).
ASSOCIATE_CUT = {1: 14, 2: 10}
NEVER_ENROLLED = 3  # offerings filed in 2015 that never recruited (cut in the first round)
# The county centres keep their copies of farming and health majors (专业大类 61, 72, 75) with classes under
# 30: exempt from MJ-08A nationally, flagged by a pack without that exemption (吉林市 JL-01).
SMALL_COPIES = ("61", "72", "75")
VIABLE_CLASS = 30  # MJ-08A's default: a major recruiting fewer for three years running is flagged

# The clusters (专业群) by 专业大类 (secondary 61–79, associate 41–59: the same order).
CLUSTER_WORDS = ["现代农业", "资源环境", "能源材料", "土木建筑", "水利工程", "加工制造", "生物化工", "轻工纺织",
                 "食品药品", "交通物流", "信息技术", "卫生护理", "金融商贸", "旅游服务", "文化艺术", "新闻传播",
                 "教育体育", "公安司法", "公共服务"]


# Declared demand (用人需求) 2017–2020, collected by each pillar's 产学合作委员会 from its member firms: per pillar
# the majors (by name and level: their 专业类 and so the education asked) and the posts firms fill with them.
# A 专业类 the shipped crosswalk does not map onto the pillar is left out (and reported in the summary).
DEMAND_YEARS = range(2017, 2021)
DEMAND_POSTS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "电子商务": [
        ("电子商务", "secondary", ("网店运营专员", "电商客服")),
        ("市场营销", "secondary", ("销售代表",)),
        ("直播电商服务", "secondary", ("直播助理",)),
        ("电子商务", "associate", ("电商运营主管", "直播运营")),
    ],
    "现代农业": [
        ("作物生产技术", "secondary", ("农技员", "种植技术员")),
        ("畜禽生产技术", "secondary", ("养殖技术员",)),
        ("茶叶生产与加工", "secondary", ("制茶工",)),
        ("现代农业技术", "associate", ("农业技术员", "基地主管")),
    ],
    "医药健康": [
        ("护理", "secondary", ("护士", "护理员")),
        ("药剂", "secondary", ("药房调剂员",)),
        ("医学检验技术", "secondary", ("检验员",)),
        ("康复技术", "secondary", ("康复治疗士",)),
        ("护理", "associate", ("护士", "护理组长")),
        ("药学", "associate", ("药品质量检验员", "制药技术员")),
    ],
    "精细化工": [
        ("化学工艺", "secondary", ("化工操作工", "中控操作员")),
        ("精细化工技术", "secondary", ("化工检验员",)),
        ("应用化工技术", "associate", ("工艺技术员", "安全员")),
    ],
    "文化创意": [
        ("数字影像技术", "secondary", ("摄影摄像师", "后期制作员")),
        ("数字媒体技术", "associate", ("视频剪辑师", "美工设计")),
    ],
    "旅游服务": [
        ("旅游服务与管理", "secondary", ("旅行社计调",)),
        ("导游服务", "secondary", ("导游",)),
        ("高星级饭店运营与管理", "secondary", ("前厅接待", "客房服务员")),
        ("中餐烹饪", "secondary", ("厨师",)),
        ("旅游管理", "associate", ("景区运营主管",)),
    ],
    "装备制造": [
        ("机电技术应用", "secondary", ("机电维修工",)),
        ("数控技术应用", "secondary", ("数控车工",)),
        ("焊接技术应用", "secondary", ("焊工",)),
        ("电气设备运行与控制", "secondary", ("电工",)),
        ("机电一体化技术", "associate", ("设备工程师", "自动化技术员")),
        ("工业机器人技术", "associate", ("机器人运维员",)),
        ("智能制造装备技术", "associate", ("智能产线技术员",)),
    ],
    "电子信息": [
        ("计算机应用", "secondary", ("计算机操作员",)),
        ("计算机网络技术", "secondary", ("网络管理员",)),
        ("电子技术应用", "secondary", ("电子装配工", "电子调试员")),
        ("大数据技术应用", "secondary", ("数据标注员",)),
        ("软件技术", "associate", ("软件开发工程师", "软件测试员")),
    ],
    "现代物流": [
        ("物流服务与管理", "secondary", ("仓管员", "物流专员")),
        ("汽车运用与维修", "secondary", ("汽车维修工",)),
        ("现代物流管理", "associate", ("物流主管", "供应链专员")),
    ],
    "食品饮料": [
        ("食品加工工艺", "secondary", ("食品加工工", "灌装操作工")),
        ("食品安全与检测技术", "secondary", ("质检员",)),
    ],
    "建筑建材": [
        ("建筑工程施工", "secondary", ("施工员", "测量员")),
        ("建筑工程技术", "associate", ("技术员", "资料员")),
    ],
}
# The story of the supply/demand page: (2017 demand as a share of the pillar's mean yearly graduates,
# yearly growth). Growing where the graduates of the mapped majors fall or stay (电子信息, 医药健康, 装备制造),
# falling where firms closed or moved (精细化工: 沿江化工企业“关改搬转”; 建筑建材), about level elsewhere.
DEMAND_TREND: dict[str, tuple[float, float]] = {
    "电子信息": (0.9, 1.3), "医药健康": (0.9, 1.22), "装备制造": (0.85, 1.25),
    "精细化工": (1.2, 0.75), "建筑建材": (1.05, 0.82),
}
DEMAND_LEVEL = (0.8, 1.03)


@dataclass(frozen=True)
class RoundPlan:
    number: int
    title: str
    opened: dt.date
    deadline: dt.date
    held_on: dt.date
    scope_note: str


ROUNDS = [
    RoundPlan(1, "2017年全市职业学校专业布局与结构调整第一轮答辩评审会", dt.date(2017, 4, 20), dt.date(2017, 5, 31),
              dt.date(2017, 6, 16),
              "全市中高职院校全部在办专业；各校校长到场答辩，逐一说明市场需求、办学条件和建设发展规划。"),
    RoundPlan(2, "2019年全市职业学校专业布局与结构调整第二轮答辩评审会", dt.date(2019, 10, 15), dt.date(2019, 11, 29),
              dt.date(2019, 12, 19),
              "第一轮保留、限期整改和暂停招生的专业，及各校拟新设专业；“一校一策，分期发展”。"),
]
RUBRIC = [
    ("市场需求", Decimal(30), "对接宜昌百亿产业的程度，区域人才需求与毕业生去向、对口就业情况。"),
    ("办学条件", Decimal(30), "专任教师与双师型教师、实训基地和设备、校企合作企业。"),
    ("发展规划", Decimal(25), "专业群建设思路、人才培养模式改革、分期建设目标与保障措施。"),
    ("答辩表现", Decimal(15), "校长答辩是否清楚回答三个问题，数据是否翔实。"),
]

# The expert pool: (kind, which one, title, speciality). Kinds: an enterprise (leading firm of a pillar), a
# college (index), a specialty school (pillar), a department (short name), or none (retired, research).
EXPERTS: list[tuple[str, Any, str, str]] = [
    ("enterprise", 0, "人力资源总监", "电子商务、网络营销"), ("enterprise", 1, "高级农艺师", "现代农业、农产品加工"),
    ("enterprise", 2, "主任护师", "护理、康复"), ("enterprise", 3, "高级工程师", "精细化工、化工安全"),
    ("enterprise", 5, "总经理", "旅游管理、酒店运营"), ("enterprise", 6, "高级工程师", "机电一体化、智能制造"),
    ("enterprise", 7, "技术总监", "软件与信息服务"), ("enterprise", 8, "运营总监", "港口物流、供应链"),
    ("college", 0, "教授", "职业教育专业建设"), ("college", 1, "副教授", "医学检验、药学"),
    ("college", 2, "教授", "建筑工程、工程管理"), ("school", 6, "高级讲师", "数控技术、机械制造"),
    ("school", 2, "高级讲师", "护理教育"), ("school", 5, "高级讲师", "旅游服务与管理"),
    ("department", "市人社局", "职业能力建设科科长", "技能人才评价"),
    ("department", "市经信局", "产业发展科科长", "工业经济"),
    ("department", "市商务局", "电子商务科科长", "电子商务产业"), ("none", None, "研究员", "职业教育政策研究"),
    ("none", None, "教授（退休）", "专业设置与评估"), ("none", None, "正高级讲师（退休）", "中职课程与教学"),
]
# Declared conflicts: (expert index, school — a college index or a county centre's name, reason, day).
CONFLICTS: list[tuple[int, Any, str, dt.date]] = [
    (0, "夷陵", "本企业与该校共建电子商务订单班，本人兼任该校专业带头人", dt.date(2017, 5, 8)),
    (14, "当阳", "本人2012年前曾任该校校长", dt.date(2017, 5, 10)),
    (18, 1, "本人退休前在该校任教", dt.date(2017, 5, 12)),
    (12, 0, "配偶在该校任职", dt.date(2019, 11, 6)),
    (6, 2, "本企业承接该校信息化建设项目", dt.date(2019, 11, 8)),
]
# The demo expert account (demo_expert) scores as this member of the pool.
DEMO_EXPERT = 0


@dataclass
class OfferingPlan:
    key: tuple[int, int | None, str]  # school, major, off-catalogue name
    school: Organisation
    major: Major | None
    off_name: str
    cluster: str
    filed_on: dt.date
    start_year: int
    fate: int  # 0 kept, 1 cut in the first round, 2 cut in the second
    quality: float  # 0 (weakest) … 1
    enrolls: bool = True
    anchor: bool = False
    suspended: bool = False  # suspended in the first round (cut in the second)
    years: list[OfferingYear] = field(default_factory=list)
    pk: int | None = None
    obj: Offering | None = None  # the row, with its school and major (the audit events' labels read them)

    @property
    def name(self) -> str:
        return self.major.name if self.major else self.off_name

    @property
    def stream(self) -> str:
        """The name of the plan's random stream: by school name and major code, never by primary keys (a
        row's id depends on what the database held before, so ids would make the demo differ run to run)."""
        return f"{self.school.name}:{self.major.code if self.major else ''}:{self.off_name}"

    @property
    def category(self) -> str:
        return self.major.category_code if self.major else ""


class Layout:
    """Builds the demo city's majors and review rounds; each step inserts only what is missing."""

    def __init__(self, city: City) -> None:
        from chanjiao.demo.city import _bulk_missing

        self.city = city
        self.summary = city.summary
        self.bulk_missing = _bulk_missing
        self.bureau_user = User.objects.get(username="demo_bureau")
        self.region = city.region(CITY_CODE)
        self.colleges = list(city.higher)
        self.specialty = {p: s for s, p in city.secondary if p is not None}
        self.county = {s.name.removeprefix("宜昌示范").removesuffix("职业教育中心"): s for s, p in city.secondary
                       if p is None}
        self.schools = [*self.colleges, *(s for s, _p in city.secondary)]
        self.majors: dict[tuple[str, str], Major] = {}
        self.by_level: dict[str, list[Major]] = defaultdict(list)
        for m in Major.objects.filter(level__in=(Major.Level.SECONDARY, Major.Level.ASSOCIATE)).order_by("code"):
            self.majors.setdefault((m.name, str(m.level)), m)
            self.by_level[str(m.level)].append(m)

    def rng(self, what: str) -> random.Random:
        return random.Random(f"{SEED}:layout:{what}")

    def person(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def school_of(self, where: Any, level: str) -> Organisation:
        if level == "associate":
            return self.colleges[where]
        return self.county[where] if isinstance(where, str) else self.specialty[where]

    @staticmethod
    def cluster(major: Major | None, fallback: str = "现代农业") -> str:
        if major is None:
            return f"{fallback}专业群"
        index = int(major.category_code) - (61 if major.level == Major.Level.SECONDARY else 41)
        return f"{CLUSTER_WORDS[index] if 0 <= index < len(CLUSTER_WORDS) else '综合'}专业群"

    # ------------------------------------------------------------------------------------------------ build
    def build(self) -> None:
        named = [(n, "secondary") for n, _p, _c in CORE_SECONDARY] + [(n, "associate") for n, _c, _t in CORE_ASSOCIATE]
        named += [(n, level) for _r, n, level, _w in OPENS]
        if (any(key not in self.majors for key in named) or self.region is None or not self.colleges
                or len(self.by_level["secondary"]) < 2 * MAJORS_2015 or not Industry.objects.exists()):
            self.summary.warnings.append("专业目录或宜昌行政区划未载入：未生成专业布局与答辩评审。"
                                         "请先运行 manage.py load_catalogs。")
            return
        with audit.audit_context(user=self.bureau_user, source="command:demo"):
            _version, loaded = crosswalk.load_default()
            self.summary.add(str(CrosswalkEntry._meta.verbose_name), loaded)
            self.plan_offerings()
            self.offerings()
            self.figures()
            self.experts()
            for plan in ROUNDS:
                self.review(plan)
            self.demand()

    # ---------------------------------------------------------------------------------------------- offerings
    def plan_offerings(self) -> None:
        rng = self.rng("offerings")
        plans: list[OfferingPlan] = []
        taken: set[tuple[int, int | None, str]] = set()

        def add(school: Organisation, major: Major | None, fate: int, quality: float, off_name: str = "",
                anchor: bool = False, enrolls: bool = True, fallback: str = "现代农业") -> None:
            key = (school.pk, major.pk if major else None, off_name)
            if key in taken:
                return
            taken.add(key)
            year = rng.randint(2005, 2014) if enrolls else 2015
            filed = dt.date(year, rng.randint(1, 6), rng.randint(1, 28))
            plans.append(OfferingPlan(key, school, major, off_name, self.cluster(major, fallback), filed, year, fate,
                                      quality, enrolls=enrolls, anchor=anchor))

        counties = list(self.county.values())
        opened_at = {(name, str(self.school_of(where, level).pk)) for _r, name, level, where in OPENS}
        for name, pillar, copies in CORE_SECONDARY:
            major = self.majors[(name, "secondary")]
            add(self.specialty[pillar], major, 0, rng.uniform(0.78, 0.95), anchor=True)
            pool = [c for c in counties if (name, str(c.pk)) not in opened_at]
            for school in rng.sample(pool, copies):
                fate = rng.choices((0, 1, 2), (6, 2, 2))[0]
                add(school, major, fate, rng.uniform(0.7, 0.88) if fate == 0 else rng.uniform(0.2, 0.45))
        for name, college, twice in CORE_ASSOCIATE:
            major = self.majors[(name, "associate")]
            add(self.colleges[college], major, 0, rng.uniform(0.8, 0.96), anchor=True)
            if twice:  # the same major at the next college: a duplicate, cut in the second round
                add(self.colleges[(college + 1) % len(self.colleges)], major, 2, rng.uniform(0.35, 0.5))
        # Every county centre keeps at least one major.
        for school in counties:
            own = [p for p in plans if p.school == school]
            if own and not any(p.fate == 0 for p in own):
                own[0].fate, own[0].quality = 0, rng.uniform(0.7, 0.85)
        for name, places in OFF_CATALOGUE:
            for place in places:
                add(self.county[place], None, 1, rng.uniform(0.1, 0.3), off_name=name)

        # The weak majors: as many as the seed's counts need, drawn from the rest of the catalogue.
        core = {p.key[1] for p in plans if p.major}
        opens = {(name, level) for r, name, level, _w in OPENS if r}
        new_majors = [(r, name, level) for r, name, level, _w in OPENS if not any(
            p.major and p.major.name == name and str(p.major.level) == level for p in plans)]
        opened_1 = sum(1 for r, _n, _l in new_majors if r == 1)
        kept = len(core)
        cut_2 = AFTER_ROUND_1 - kept - opened_1
        cut_1 = MAJORS_2015 - kept - cut_2 - len(OFF_CATALOGUE)
        reserved = core | {self.majors[o].pk for o in opens}
        categories: dict[int, set[str]] = defaultdict(set)
        for p in plans:
            categories[p.school.pk].add(p.category)
        for level in ("secondary", "associate"):
            pool = [m for m in self.by_level[level] if m.pk not in reserved]
            n1 = ASSOCIATE_CUT[1] if level == "associate" else cut_1 - ASSOCIATE_CUT[1] - NEVER_ENROLLED
            n2 = ASSOCIATE_CUT[2] if level == "associate" else cut_2 - ASSOCIATE_CUT[2]
            drawn = rng.sample(pool, n1 + n2)
            for k, major in enumerate(drawn):
                fate = 1 if k < n1 else 2
                if level == "associate":
                    places = rng.sample(self.colleges, rng.choice((1, 1, 2)))
                else:  # a specialty school only within its own 大类; county centres anything
                    fits = [s for s in self.specialty.values() if major.category_code in categories[s.pk]]
                    weighted = [*fits, *counties, *counties]
                    places = list(dict.fromkeys(rng.choice(weighted) for _ in range(rng.choice((1, 1, 2, 2, 3)))))
                for school in places:
                    add(school, major, fate, rng.uniform(0.1, 0.35) if fate == 1 else rng.uniform(0.3, 0.55))
        # A few majors were filed in 2015 and never recruited (cut in the first round).
        never = self.rng("never")
        for major in never.sample([m for m in self.by_level["secondary"] if m.pk not in reserved
                                   and m.pk not in {p.key[1] for p in plans}], NEVER_ENROLLED):
            add(never.choice(counties), major, 1, 0.1, enrolls=False)
        for p in plans:
            if p.fate == 2 and p.enrolls and rng.random() < 0.5:
                p.suspended = True
        self.plans = plans
        self.by_key = {p.key: p for p in plans}

    def offerings(self) -> None:
        rows = []
        for n, p in enumerate(self.plans, start=1):
            rows.append(Offering(school=p.school, major=p.major, off_catalogue_name=p.off_name, cluster=p.cluster,
                                 start_year=p.start_year, filed_on=p.filed_on,
                                 filing_ref=f"宜教职成备〔{p.filed_on.year}〕{n:03d}号"))
        existing = Offering.objects.filter(school__in=self.schools).values_list("school_id", "major_id",
                                                                                "off_catalogue_name")
        self.bulk_missing(Offering, rows, lambda o: (o.school_id, o.major_id, o.off_catalogue_name), existing,
                          self.summary)
        self.offering = {(o.school_id, o.major_id, o.off_catalogue_name): o
                         for o in Offering.objects.filter(school__in=self.schools).select_related("school", "major")}
        for p in self.plans:
            p.obj = self.offering[p.key]
            p.pk = p.obj.pk
        # The ones that recruited: 开始招生 as of their first September (once: a re-run finds the history).
        self.start_enrolment([self.offering[p.key] for p in self.plans if p.enrolls])

    def start_enrolment(self, offerings: Iterable[Offering]) -> None:
        offerings = list(offerings)
        ct = ContentType.objects.get_for_model(Offering, for_concrete_model=False)
        moved = set(StatusChange.objects.filter(content_type=ct, object_id__in=[o.pk for o in offerings])
                    .values_list("object_id", flat=True)) if offerings else set()
        count = 0
        today = timezone.localdate()
        for offering in offerings:
            start = dt.date(offering.start_year, 9, 1)
            if offering.pk in moved or offering.status != OfferingStatus.FILED or start > today:
                continue
            offering.set_status("start_enrolment", by=self.bureau_user, effective_on=start)
            count += 1
        self.summary.add("专业点状态变更", count)

    # ------------------------------------------------------------------------------------------------ figures
    def figures(self) -> None:
        rows = []
        for p in self.plans:
            rows += self.years_of(p)
        existing = OfferingYear.objects.filter(offering_id__in=[p.pk for p in self.plans]).values_list(
            "offering_id", "year")
        self.bulk_missing(OfferingYear, rows, lambda y: (y.offering_id, y.year), existing, self.summary)

    def years_of(self, p: OfferingPlan) -> list[OfferingYear]:
        """The offering's figures in the years it was live (2013–2020), from its quality."""
        if not p.enrolls:
            return []
        rng = self.rng(f"years:{p.stream}")
        q = p.quality
        associate = p.major is not None and p.major.level == Major.Level.ASSOCIATE
        size = rng.randint(80, 180) if associate else rng.randint(40, 110)
        small = p.fate == 0 and not p.anchor and p.category in SMALL_COPIES and p.school in self.county.values()
        if small:
            size = rng.randint(25, 40)  # a county centre's small class of a major the national rule exempts
        # A kept major recruits a viable class every year (MJ-08A's 30), so what the warnings flag before the
        # first round is exactly what the rounds cut.
        floor = VIABLE_CLASS if p.fate == 0 and not small else 3
        planned = max(20, round(size * (0.6 + 0.4 * q)) // 5 * 5)
        last = 2017 if p.fate == 1 else (2019 if p.fate == 2 else 2020)
        intake: dict[int, int] = {}
        out = []
        for year in range(p.start_year, last + 1):
            stopped = (p.fate == 1 and year == 2017) or (p.suspended and year >= 2018) or (
                p.fate == 2 and year > 2019)
            rate = min(1.05, 0.15 + 0.85 * q + rng.uniform(-0.08, 0.08))
            intake[year] = 0 if stopped else max(floor, round(planned * rate))
            if year not in FIGURE_YEARS:
                continue
            students = round(sum(intake.get(y, 0) for y in range(year - 2, year + 1)) * 0.96)
            graduates = round(intake.get(year - 3, 0) * rng.uniform(0.9, 0.97))
            employed = int(graduates * min(0.99, 0.55 + 0.42 * q + rng.uniform(-0.04, 0.03)))
            related = int(employed * min(0.95, 0.2 + 0.7 * q + rng.uniform(-0.05, 0.05)))
            salary = None
            satisfaction = None
            if graduates:
                base = 2900 if associate else 2300
                salary = round((base + 1400 * q + 120 * (year - 2013) + rng.randint(-150, 150)) / 10) * 10
                satisfaction = Decimal(str(round(min(99.0, 68 + 28 * q + rng.uniform(-2, 2)), 1)))
            out.append(OfferingYear(offering=p.obj, year=year, planned_enrolment=0 if stopped else planned,
                                    enrolled=intake[year], students=students, graduates=graduates, employed=employed,
                                    employed_related=related, starting_salary=salary, satisfaction=satisfaction))
        p.years = out
        return out

    # ------------------------------------------------------------------------------------------------ experts
    def experts(self) -> None:
        rng = self.rng("experts")
        names: set[str] = set()
        rows = []
        demo_user = User.objects.filter(username="demo_expert").first()
        for k, (kind, which, title, speciality) in enumerate(EXPERTS):
            org = {"enterprise": lambda w: (self.city.pillar_enterprises(w) or [None])[0],
                   "college": lambda w: self.colleges[w], "school": lambda w: self.specialty[w],
                   "department": lambda w: self.city.depts[w], "none": lambda w: None}[kind](which)
            while True:
                name = self.person(rng)
                if len(name) == 3 and name not in names:
                    break
            names.add(name)
            rows.append(Expert(name=name, region=self.region, organisation=org, title=title, speciality=speciality,
                               user=demo_user if k == DEMO_EXPERT else None))
        existing = Expert.objects.filter(region=self.region).values_list("name", flat=True)
        self.bulk_missing(Expert, rows, lambda e: e.name, existing, self.summary)
        by_name = {e.name: e for e in Expert.objects.filter(region=self.region, name__in=names)}
        self.pool = [by_name[r.name] for r in rows]
        conflicts = []
        for k, where, reason, day in CONFLICTS:
            school = self.colleges[where] if isinstance(where, int) else self.county[where]
            conflicts.append(ConflictDeclaration(expert=self.pool[k], organisation=school, reason=reason,
                                                 declared_on=day))
        existing = ConflictDeclaration.objects.filter(expert__in=self.pool).values_list("expert_id", "organisation_id")
        self.bulk_missing(ConflictDeclaration, conflicts, lambda c: (c.expert_id, c.organisation_id), existing,
                          self.summary)
        # Who must not review whom (REV-01): their own organisation and what they declared, by the round.
        self.avoid: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
        for e in self.pool:
            if e.organisation_id:
                self.avoid[e.pk].append((e.organisation_id, dt.date.min))
        for c in conflicts:
            self.avoid[c.expert_id].append((c.organisation_id, c.declared_on))

    def eligible(self, school: Organisation) -> list[Expert]:
        # A conflict declared later still counts (the scan sees today's declarations).
        return [e for e in self.pool if all(org != school.pk for org, _d in self.avoid[e.pk])]

    # ------------------------------------------------------------------------------------------------ rounds
    def review(self, plan: RoundPlan) -> None:
        bureau = self.bureau_user
        round_, created = ReviewRound.objects.get_or_create(
            title=plan.title, region=self.region,
            defaults={"held_on": plan.held_on, "deadline": plan.deadline, "scope_note": plan.scope_note})
        self.summary.add("答辩评审", int(created))
        criteria = [RubricCriterion(round=round_, order=k, name=name, max_points=top, guidance=guidance)
                    for k, (name, top, guidance) in enumerate(RUBRIC, start=1)]
        self.bulk_missing(RubricCriterion, criteria, lambda c: (c.round_id, c.name),
                          RubricCriterion.objects.filter(round=round_).values_list("round_id", "name"), self.summary)
        criteria = list(RubricCriterion.objects.filter(round=round_).order_by("order"))
        if round_.status == RoundStatus.DRAFT:
            round_.set_status("open", by=bureau, effective_on=plan.opened)

        items = self.round_items(plan)
        self.submissions(round_, plan, items)
        if round_.status == RoundStatus.OPEN:
            round_.set_status("start_review", by=bureau, effective_on=plan.deadline)
        self.scores(round_, plan, criteria)
        if round_.status == RoundStatus.REVIEWING:
            round_.set_status("decide", by=bureau, effective_on=plan.held_on)
        self.decisions(round_, plan)

    def round_items(self, plan: RoundPlan) -> dict[int, list[dict[str, Any]]]:
        """Per school: the items of the round — (offering plan or new major, proposed, decided, conditions)."""
        rng = self.rng(f"round{plan.number}:items")
        n = plan.number
        live = [p for p in self.plans if n == 1 or p.fate != 1]
        if n == 2:  # the majors the first round opened are reviewed again
            live += [self.opened_plan(ROUNDS[0], name, level, where) for r, name, level, where in OPENS if r == 1]
        keepers: dict[tuple[int, str], list[OfferingPlan]] = defaultdict(list)
        for p in live:
            if p.fate == 0:
                keepers[(p.school.pk, p.category)].append(p)
        by_school: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for p in live:
            item: dict[str, Any] = {"plan": p, "new_major": None, "merge_into": None, "conditions": ""}
            if p.fate == n:  # cut now: merged into a kept major of the same 大类 at the school, or cancelled
                target = [k for k in keepers.get((p.school.pk, p.category), []) if k is not p]
                if target and p.enrolls and rng.random() < 0.45:
                    item["decided"], item["merge_into"] = ProposedAction.MERGE, target[0]
                    item["conditions"] = f"在校生转入{target[0].name}专业继续培养，师资与实训设备并入该专业。"
                else:
                    item["decided"] = ProposedAction.CANCEL
                    item["conditions"] = "停止招生，在校生按原人才培养方案培养至毕业。"
            elif n == 1 and p.fate == 2:
                if p.suspended:
                    item["decided"] = ProposedAction.SUSPEND
                    item["conditions"] = "暂停招生两年，办学条件整改到位后可申请恢复。"
                else:
                    item["decided"] = ProposedAction.KEEP
                    item["conditions"] = "限期两年整改：招生规模和实训条件达到标准，否则下一轮撤销。"
            elif p.anchor and rng.random() < 0.6:
                item["decided"] = ProposedAction.STRENGTHEN
                item["conditions"] = rng.choice(["三年内建成市级示范实训基地。",
                                                 "与龙头企业共建订单班，推进现代学徒制试点。",
                                                 "牵头组建专业群，对接宜昌百亿产业。"])
            else:
                item["decided"] = ProposedAction.KEEP
            proposed = item["decided"]
            if proposed in (ProposedAction.CANCEL, ProposedAction.SUSPEND) and rng.random() < 0.2:
                proposed = ProposedAction.KEEP  # the school argued to keep it; the panel did not agree
            item["proposed"] = proposed
            by_school[p.school.pk].append(item)
        for r, name, level, where in OPENS:
            if r == n:
                school = self.school_of(where, level)
                by_school[school.pk].append({"plan": None, "new_major": self.majors[(name, level)], "merge_into": None,
                                             "proposed": ProposedAction.OPEN, "decided": ProposedAction.OPEN,
                                             "conditions": "新设专业须与合作企业共建实训基地，首年招生不超过2个班。"})
        return by_school

    def opened_plan(self, plan: RoundPlan, name: str, level: str, where: Any) -> OfferingPlan:
        """The plan of an offering a round's decision opened (its row exists once the round is applied)."""
        school, major = self.school_of(where, level), self.majors[(name, level)]
        key = (school.pk, major.pk, "")
        if key not in self.by_key:
            offering = Offering.objects.filter(school=school, major=major).select_related("school", "major").first()
            day = plan.held_on
            start = day.year if day.month < 9 else day.year + 1
            p = OfferingPlan(key, school, major, "", self.cluster(major), day, start, 0, 0.0)
            p.quality = self.rng(f"opened:{p.stream}").uniform(0.7, 0.85)
            p.pk, p.obj = (offering.pk if offering else None), offering
            self.by_key[key] = p
        return self.by_key[key]

    def submissions(self, round_: ReviewRound, plan: RoundPlan, items: dict[int, list[dict[str, Any]]]) -> None:
        rng = self.rng(f"round{plan.number}:submissions")
        principals = self.rng("principals")
        heads = {s.pk: self.person(principals) for s in self.schools}
        rows = []
        for k, school in enumerate(self.schools):
            if not items.get(school.pk):
                continue
            head = heads[school.pk] if plan.number == 1 or k % 7 else self.person(rng)  # a few new principals
            attended = not (plan.number == 1 and k == len(self.schools) - 2)
            counts: dict[str, int] = defaultdict(int)
            for item in items[school.pk]:
                counts[item["proposed"]] += 1
            summary = (f"全校参评专业{sum(counts.values())}个：拟保留{counts['keep']}个、做强{counts['strengthen']}个、"
                       f"暂停招生{counts['suspend']}个、撤销或合并{counts['cancel'] + counts['merge']}个、"
                       f"新设{counts['open']}个。")
            if not attended:
                summary += "校长因参加省厅会议请假，由分管副校长代为答辩，会后补充书面说明。"
            day = plan.deadline - dt.timedelta(days=rng.randint(0, 20))
            rows.append(Submission(round=round_, school=school, submitted_on=day, principal=head,
                                   principal_attended=attended, summary=summary))
        self.bulk_missing(Submission, rows, lambda s: (s.round_id, s.school_id),
                          Submission.objects.filter(round=round_).values_list("round_id", "school_id"), self.summary)
        self.round_subs = {s.school_id: s for s in Submission.objects.filter(round=round_).select_related("school")}
        texts = self.rng(f"round{plan.number}:texts")
        rows = []
        for school_id, school_items in items.items():
            sub = self.round_subs[school_id]
            for item in school_items:
                p: OfferingPlan | None = item["plan"]
                market, conditions, development = self.analyses(texts, p, item, plan)
                target = item["merge_into"]
                rows.append(SubmissionItem(
                    submission=sub, offering=p.obj if p else None, new_major=item["new_major"],
                    proposed_action=item["proposed"],
                    merge_into_id=target.pk if target and item["proposed"] == ProposedAction.MERGE else None,
                    market_analysis=market, conditions_analysis=conditions, development_plan=development))
        self.bulk_missing(SubmissionItem, rows, lambda i: (i.submission_id, i.offering_id, i.new_major_id),
                          SubmissionItem.objects.filter(submission__round=round_).values_list(
                              "submission_id", "offering_id", "new_major_id"), self.summary)
        self.round_items_by_key = {(i.submission_id, i.offering_id, i.new_major_id): i for i in
                                   SubmissionItem.objects.filter(submission__round=round_).select_related(
                                       "submission__school", "offering__major", "new_major")}
        self.round_plan_items = items
        # The panel: 5–7 experts per submission, none of them in conflict with the school (REV-01).
        panel = self.rng(f"round{plan.number}:panel")
        rows = []
        for school in self.schools:
            sub = self.round_subs.get(school.pk)
            if sub is None:
                continue
            for expert in panel.sample(self.eligible(school), panel.randint(5, 7)):
                rows.append(ExpertAssignment(submission=sub, expert=expert))
        self.bulk_missing(ExpertAssignment, rows, lambda a: (a.submission_id, a.expert_id),
                          ExpertAssignment.objects.filter(submission__round=round_).values_list(
                              "submission_id", "expert_id"), self.summary)

    def analyses(self, rng: random.Random, p: OfferingPlan | None, item: dict[str, Any],
                 plan: RoundPlan) -> tuple[str, str, str]:
        """The three answers the principal gives for one major (short, from its figures)."""
        if p is None:
            name = item["new_major"].name
            return (f"宜昌相关产业快速发展，合作企业提出{name}方向技术技能人才需求每年约{rng.randint(60, 200)}人，"
                    "市内尚无或仅有少量学校开设。",
                    f"已与{rng.randint(2, 5)}家企业签订共建协议，现有相近专业教师{rng.randint(4, 9)}人，"
                    "可利用现有实训中心改建实训室。",
                    "首年招生1—2个班，三年内建成校企共建实训基地，纳入相应专业群建设。")
        years = [y for y in p.years if y.year < plan.held_on.year or (plan.number == 2 and y.year == 2019)][-3:]
        enrolled = sum(y.enrolled for y in years)
        planned = sum(y.planned_enrolment or 0 for y in years)
        graduates = sum(y.graduates for y in years)
        employed = sum(y.employed for y in years)
        related = sum(y.employed_related for y in years)
        fill = f"{100 * enrolled / planned:.0f}%" if planned else "—"
        placed = f"{100 * employed / graduates:.0f}%" if graduates else "—"
        matched = f"{100 * related / employed:.0f}%" if employed else "—"
        teachers = max(2, round(3 + 9 * p.quality + rng.randint(-1, 1)))
        if p.fate == 0 and p.quality >= 0.6:
            market = (f"对接宜昌{p.cluster.removesuffix('专业群')}产业，近三年招生{enrolled}人（计划完成率{fill}），"
                      f"毕业生去向落实率{placed}，对口就业率{matched}，合作企业用人需求持续增长。")
            conditions = (f"专任教师{teachers}人，其中双师型{max(1, teachers * 2 // 3)}人；"
                          f"校内实训室{rng.randint(3, 8)}个，与{rng.randint(3, 12)}家企业共建校外实训基地。")
            development = rng.choice(["建设市级示范专业，牵头组建专业群，推进现代学徒制试点。",
                                      "扩大订单培养规模，与龙头企业共建产业学院。",
                                      "对接中高职衔接，开发校企合作课程和教材。"])
        else:
            market = (f"近三年招生{enrolled}人，计划完成率{fill}，毕业生去向落实率{placed}，对口就业率{matched}；"
                      "区域内同类专业布点较多，用人需求有限。")
            conditions = (f"专任教师{teachers}人，缺少专业带头人和双师型教师；实训设备陈旧，"
                          "生均实训工位不足，校外实训基地未稳定运行。")
            development = {ProposedAction.KEEP: "拟保留，整改师资和实训条件，压缩招生规模。",
                           ProposedAction.SUSPEND: "拟暂停招生，集中力量整改办学条件。",
                           ProposedAction.CANCEL: "拟停止招生，在校生培养至毕业，教师转岗至本校优势专业。",
                           ProposedAction.MERGE: "拟并入本校相近专业，整合师资和实训资源。",
                           }.get(item["proposed"], "拟保留。")
        return market, conditions, development

    def scores(self, round_: ReviewRound, plan: RoundPlan, criteria: list[RubricCriterion]) -> None:
        rng = self.rng(f"round{plan.number}:scores")
        assignments = list(ExpertAssignment.objects.filter(submission__round=round_).select_related("expert").order_by(
            "submission_id",
                                                                                               "expert_id"))
        by_sub: dict[int, list[ExpertAssignment]] = defaultdict(list)
        for a in assignments:
            by_sub[a.submission_id].append(a)
        rows = []
        for school in self.schools:
            sub = self.round_subs.get(school.pk)
            if sub is None:
                continue
            for item in self.round_plan_items[school.pk]:
                p = item["plan"]
                row = self.round_items_by_key[(sub.pk, p.pk if p else None,
                                               item["new_major"].pk if item["new_major"] else None)]
                q = p.quality if p else 0.8
                for a in by_sub[sub.pk]:
                    bias = rng.uniform(-0.05, 0.05)
                    for c in criteria:
                        share = min(1.0, max(0.15, 0.3 + 0.65 * q + bias + rng.gauss(0, 0.05)))
                        points = (c.max_points * Decimal(str(share)) * 2).quantize(Decimal(1)) / 2
                        rows.append(Score(assignment=a, item=row, criterion=c, points=points))
        existing = Score.objects.filter(assignment__submission__round=round_).values_list(
            "assignment_id", "item_id", "criterion_id")
        self.bulk_missing(Score, rows, lambda s: (s.assignment_id, s.item_id, s.criterion_id), existing, self.summary)

    def decisions(self, round_: ReviewRound, plan: RoundPlan) -> None:
        rows = []
        for school in self.schools:
            sub = self.round_subs.get(school.pk)
            if sub is None:
                continue
            for item in self.round_plan_items[school.pk]:
                p = item["plan"]
                row = self.round_items_by_key[(sub.pk, p.pk if p else None,
                                               item["new_major"].pk if item["new_major"] else None)]
                rows.append(Decision(item=row, action=item["decided"], conditions=item["conditions"],
                                     decided_on=plan.held_on))
        self.bulk_missing(Decision, rows, lambda d: d.item_id,
                          Decision.objects.filter(item__submission__round=round_).values_list("item_id", flat=True),
                          self.summary)
        drafts = list(Decision.objects.filter(item__submission__round=round_, status=DecisionStatus.DRAFT)
                      .select_related("item__submission__round", "item__submission__school", "item__offering__major",
                                      "item__new_major", "item__merge_into").order_by("pk"))
        for decision in drafts:
            decision.set_status("apply", by=self.bureau_user)
        self.summary.add("评审决定执行", len(drafts))
        # The majors the round opened: their cluster, recruitment from the next September, their figures.
        opened = []
        for r, name, level, where in OPENS:
            offering = Offering.objects.filter(school=self.school_of(where, level),
                                               major=self.majors[(name, level)]).select_related("school",
                                                                                                 "major").first()
            if r != plan.number or offering is None:
                continue
            opened.append(offering)
            if not offering.cluster:
                offering.cluster = self.cluster(offering.major)
                offering.save()
            p = self.opened_plan(plan, name, level, where)
            p.pk, p.obj = offering.pk, offering
            rows = self.years_of(p)
            self.bulk_missing(OfferingYear, rows, lambda y: (y.offering_id, y.year),
                              OfferingYear.objects.filter(offering_id=offering.pk).values_list("offering_id", "year"),
                              self.summary)
        self.start_enrolment(opened)

    # ------------------------------------------------------------------------------------------------- demand
    def demand(self) -> None:
        """Declared demand 2017–2020: each committee's member firms of the year, by the posts of its pillar,
        sized from the graduates of the offerings the crosswalk maps onto the pillar (``DEMAND_TREND``)."""
        version = crosswalk.in_force(CITY_CODE, dt.date(DEMAND_YEARS[-1], 12, 31))
        if version is None:
            return
        rows: list[DeclaredDemand] = []
        for committee in self.city.committee_list:
            pillar = committee.pillar
            codes = crosswalk.pillar_codes(pillar)
            mapped = set(CrosswalkEntry._base_manager.filter(crosswalk.industry_overlap_q(codes), version=version,
                                                            major__isnull=True).values_list("class_code", flat=True))
            posts = []
            for name, level, titles in DEMAND_POSTS.get(pillar.name, []):
                major = self.majors.get((name, level))
                if major is None or major.class_code not in mapped:
                    self.summary.warnings.append(f"{pillar.name}：{name}（{major.class_code if major else '?'}）"
                                                 "的专业类未对照到该产业，未生成其用人需求。")
                    continue
                education = EducationLevel.SECONDARY if level == "secondary" else EducationLevel.ASSOCIATE
                posts += [(major.class_code, str(education), title) for title in titles]
            if not posts:
                continue
            graduates = dict(OfferingYear.objects.filter(
                crosswalk.offerings_q(codes, version, prefix="offering__"), offering__school__in=self.schools,
                year__in=DEMAND_YEARS).values("year").annotate(n=Sum("graduates")).values_list("year", "n"))
            mean = sum(graduates.values()) / len(DEMAND_YEARS) or 100
            share, growth = DEMAND_TREND.get(pillar.name, DEMAND_LEVEL)
            members = CommitteeMembership.objects.filter(committee=committee, organisation__kind="enterprise")
            for year in DEMAND_YEARS:
                rng = self.rng(f"demand:{pillar.name}:{year}")
                firms = list(members.filter(Q(left__isnull=True) | Q(left__gt=dt.date(year, 1, 1)),
                                            joined__lte=dt.date(year, 12, 31))
                             .select_related("organisation").order_by("organisation__name", "organisation_id"))
                slots = [(m.organisation, post) for m in firms for post in posts]
                if not slots:
                    continue
                target = max(1, round(mean * share * growth ** (year - DEMAND_YEARS[0]) * rng.uniform(0.95, 1.05)))
                n = min(len(slots), max(1, round(target / 9)))
                for firm, (class_code, education, title) in rng.sample(slots, n):
                    rows.append(DeclaredDemand(enterprise=firm, year=year, class_code=class_code, position=title,
                                               headcount=max(1, min(40, round(target / n * rng.uniform(0.5, 1.5)))),
                                               education=education, committee=committee))
        existing = DeclaredDemand.objects.filter(enterprise__in={r.enterprise_id for r in rows}).values_list(
            "enterprise_id", "year", "class_code", "education", "position")
        self.bulk_missing(DeclaredDemand, rows, lambda d: (d.enterprise_id, d.year, d.class_code, d.education,
                                                           d.position), existing, self.summary)


def build_layout(city: City) -> None:
    """Create (or complete) the demo city's major layout and its two review rounds."""
    Layout(city).build()
