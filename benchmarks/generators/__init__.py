"""The province-scale data generator's shared parts: sizes, the clock, the COPY writer, the run context.

One module per app (``orgs``, ``engagement``, ``layout``, ``accounts``, ``audit``; ``catalog`` only reads the code
tables that ``manage.py load_catalogs`` loaded). Every module draws from its own ``random.Random`` seeded from
the run's seed and the module's name, never from the global generator or the wall clock, so the same
scale and seed give the same rows byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The year the generated data spans (created_at of rows and audit events): fixed, never "now".
YEAR_START = dt.datetime(2025, 12, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8)  # 2025-12-01 00:00 Asia/Shanghai
YEAR = dt.timedelta(days=365)

# Hubei's 17 prefecture-level units: (code as the regions catalog has it, relative weight for schools
# and enterprises — roughly each unit's share of the province's economy, Wuhan the largest).
PROVINCE_CODE = "42"
UNITS: list[tuple[str, float]] = [
    ("4201", 30.0), ("4202", 4.0), ("4203", 5.0), ("4205", 8.5), ("4206", 9.0), ("4207", 2.0),
    ("4208", 4.5), ("4209", 5.5), ("4210", 6.5), ("4211", 6.5), ("4212", 4.0), ("4213", 3.0),
    ("4228", 4.0), ("429004", 1.8), ("429005", 1.8), ("429006", 1.5), ("429021", 0.3),
]
# Departments per unit: (name pattern, short name, 行业主管部门?) — the demo city's list (chanjiao/demo/city.py).
DEPARTMENTS: list[tuple[str, str, bool]] = [
    ("{city}教育局", "教育局", False),
    ("{city}商务局", "商务局", True),
    ("{city}农业农村局", "农业农村局", True),
    ("{city}卫生健康委员会", "卫健委", True),
    ("{city}经济和信息化局", "经信局", True),
    ("{city}文化和旅游局", "文旅局", True),
    ("中共{city}委宣传部", "宣传部", True),
    ("{city}交通运输局", "交通运输局", True),
    ("{city}住房和城乡建设局", "住建局", True),
    ("{city}市场监督管理局", "市场监管局", True),
    ("{city}人力资源和社会保障局", "人社局", True),
    ("{city}发展和改革委员会", "发改委", False),
]
# One 区县教育局 per city (its last county), bound to that county: what the harness checks a county
# bureau by. The 省直辖 units are their own only county and have none.
COUNTY_BUREAUS = sum(1 for code, _w in UNITS if len(code) == 4)
AUTHORITIES_PER_UNIT = sum(1 for *_x, authority in DEPARTMENTS if authority)
PILLARS_PER_GROUP = 11  # the demo's 11 百亿产业 (chanjiao/demo/city.py PILLARS), one committee each
TERMS_PER_GROUP = 2
OFFICER_SEATS = 6  # chair, 2 vice chairs, secretary general, 2 deputy secretaries general
COMMITTEE_OFFICERS = 3  # director, vice director, secretary
GUIDANCE_PER_SCHOOL = 3
GUIDANCE_MEMBERS = 6  # a chair from the school, five from enterprises


def scaled(base: float, scale: float) -> int:
    """``base`` rows at full scale, at least one of each kind."""
    return max(1, round(base * scale))


def sizes(scale: float) -> dict[str, int]:
    """Row counts per table (and per organisation kind) for ``scale``: the generator writes exactly
    these, and the test compares the database against this function, not against typed numbers."""
    units = len(UNITS)
    schools = scaled(400, scale)
    groups = units
    pillars = groups * PILLARS_PER_GROUP
    s: dict[str, int] = {
        "orgs.organisation:department": 1 + units * len(DEPARTMENTS),
        "orgs.organisation:school": schools,
        "orgs.organisation:enterprise": scaled(200_000, scale),
        "orgs.organisation:association": scaled(170, scale),
        "orgs.organisation:institute": scaled(85, scale),
        "orgs.contact": scaled(60_000, scale),
        "orgs.teacher": scaled(100_000, scale),
        "orgs.vocationalgroup": groups,
        "orgs.boardterm": groups * TERMS_PER_GROUP,
        "orgs.boardseat": groups * TERMS_PER_GROUP * (OFFICER_SEATS + scaled(24, scale)),
        "orgs.pillarindustry": pillars,
        "orgs.committee": pillars,
        "orgs.committeemembership": pillars * (COMMITTEE_OFFICERS + scaled(37, scale)),
        "orgs.guidancecommittee": schools * GUIDANCE_PER_SCHOOL,
        "orgs.guidancemember": schools * GUIDANCE_PER_SCHOOL * GUIDANCE_MEMBERS,
    }
    s["orgs.organisation"] = sum(v for k, v in s.items() if k.startswith("orgs.organisation:"))
    # The matching cycle over 2017–2020 (generators/engagement.py; issue #9's benchmark names the sizes):
    # one plan per group and year, the rest scaled. These rows carry no audit events (engagement.py says why).
    s.update({
        "engagement.annualplan": groups * 4,
        "engagement.plannedactivity": scaled(2_400, scale),
        "engagement.event": scaled(3_000, scale),
        "engagement.eventparticipation": scaled(300_000, scale),
        "engagement.agreement": scaled(300_000, scale),
        "engagement.alliance": scaled(1_500, scale),
        "engagement.visit": scaled(400_000, scale),
        "engagement.teacherpractice": scaled(250_000, scale),
        "engagement.orderclass": scaled(10_000, scale),
    })
    # The layout (generators/layout.py, issue #10's benchmark): 30 offerings a school with their 2015–2019
    # figures, the shipped default crosswalk (fixed), one declared demand row per enterprise. No audit events.
    from benchmarks.generators import layout

    s.update({
        "layout.offering": schools * layout.OFFERINGS_PER_SCHOOL,
        "layout.offeringyear": schools * layout.year_rows_per_school(),
        "layout.crosswalkversion": 1,
        "layout.crosswalkentry": len(layout.crosswalk_rows()),
        "layout.declareddemand": s["orgs.organisation:enterprise"],
    })
    users = {
        "bureau_admin": 1 + units + COUNTY_BUREAUS, "secretariat": groups, "leader": 1 + units, "school_admin": schools,
        "enterprise_contact": scaled(4_000, scale), "industry_authority": units * AUTHORITIES_PER_UNIT,
        "committee_leader": pillars, "expert": scaled(200, scale),
        "system_admin": 1, "security_admin": 1, "audit_admin": 1,
    }
    for role, n in users.items():
        s[f"accounts.membership:{role}"] = n
    s["accounts.user"] = s["accounts.membership"] = sum(users.values())
    # Audit: one create per audited row, one m2m event per pillar (its industries), headcount updates,
    # and the year's security events.
    audited = [k for k in s if ":" not in k and not k.startswith(("engagement.", "layout."))]
    s["audit:data_create"] = sum(s[k] for k in audited)
    s["audit:data_m2m"] = pillars
    s["audit:data_update"] = scaled(10_000, scale)
    for action, base in SECURITY_EVENTS.items():
        s[f"audit:security_{action}"] = scaled(base, scale)
    s["core.auditevent"] = sum(v for k, v in s.items() if k.startswith("audit:"))
    return s


SECURITY_EVENTS = {"login": 100_000, "logout": 50_000, "login_failed": 2_000, "export": 5_000,
                   "access_denied": 1_000}


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` over ``weights`` exactly (largest remainder, ties by position)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def at(day: float) -> dt.datetime:
    """The instant ``day`` days into the generated year (fractions are hours, minutes …)."""
    return YEAR_START + dt.timedelta(microseconds=round(day * 86_400_000_000))


@dataclass
class Stat:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Context:
    """What one run shares: its seed and scale, the database connection, lookups between modules."""

    seed: int
    scale: float
    conn: Any  # psycopg.Connection to the scratch database, one transaction for the whole load
    sizes: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Stat] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)  # lookups one module leaves for the next
    tables: list[str] = field(default_factory=list)  # tables written, for the sequence reset

    def rng(self, name: str) -> random.Random:
        # A str seed is hashed with SHA-512 by random.Random: stable across runs and PYTHONHASHSEED.
        return random.Random(f"chanjiao-generate/{self.seed}/{name}")

    def next_id(self, table: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"')
            return int(cur.fetchone()[0])

    def copy(self, model: Any, rows: Iterable[dict[str, Any]], label: str | None = None) -> int:
        """COPY ``rows`` (dicts by attname) into ``model``'s table; a column a row lacks gets the
        field's default, so a field another change adds with a default does not break the load."""
        start = time.perf_counter()
        meta = model._meta.concrete_model._meta
        fields = list(meta.concrete_fields)
        fill = [_filler(f) for f in fields]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        n = 0
        self.tables.append(meta.db_table)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[f.attname] if f.attname in row else fn() for f, fn in zip(fields, fill,
                                                                                              strict=True)])
                n += 1
        self.note(label or model._meta.label_lower, n, time.perf_counter() - start)
        return n

    def copy_plain(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]], label: str) -> int:
        start = time.perf_counter()
        n = 0
        cols = ", ".join(f'"{c}"' for c in columns)
        self.tables.append(table)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        self.note(label, n, time.perf_counter() - start)
        return n

    def note(self, label: str, rows: int, seconds: float) -> None:
        stat = self.stats.setdefault(label, Stat())
        stat.rows += rows
        stat.seconds += seconds


def _filler(f: Any) -> Callable[[], Any]:
    if f.has_default():
        return f.get_default
    if f.null:
        return lambda: None
    if f.get_internal_type() in {"CharField", "TextField", "URLField", "EmailField", "SlugField"}:
        return lambda: ""
    def missing() -> Any:
        raise KeyError(f"the generator gives no value for required field {f.model.__name__}.{f.attname}")
    return missing


def timed(ctx: Context, label: str) -> Any:
    """``with timed(ctx, "orgs: plan"):`` adds the block's seconds (no rows) to the summary."""
    class _Timer:
        def __enter__(self) -> None:
            self.start = time.perf_counter()

        def __exit__(self, *exc: Any) -> None:
            ctx.note(label, 0, time.perf_counter() - self.start)
    return _Timer()


def completer(model: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Fill the fields a generated row leaves out with their defaults (in place), so that the audit
    snapshot and the COPY see the same complete row."""
    plan = [(f.attname, _filler(f)) for f in model._meta.concrete_fields if f.attname != "id"]

    def complete(row: dict[str, Any]) -> dict[str, Any]:
        for attname, fill in plan:
            if attname not in row:
                row[attname] = fill()
        return row

    return complete
