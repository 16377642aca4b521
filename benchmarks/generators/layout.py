"""The layout of Hubei's schools (issue #10): the offerings (专业点) every school files, their yearly
figures over 2015–2019, the platform's default crosswalk and the demand the enterprises declared for
2019 — the rows the fit analysis (layout/fit.py, lists.py, supply.py) reads.

Each school offers ``OFFERINGS_PER_SCHOOL`` majors of its own level (中职 majors for a 中职, 高职专科
ones for a 高职), drawn with a skewed weight so that some majors are offered by most schools of a city
(the 布点率 rule MJ-08B) and most by a few. All are ``enrolling``; the last ``len(NEW_SINCE)`` of each
school started in 2017, 2018 and 2019 and have rows only from then on, the others started by 2015 and
have a row for each of the five years. A share of the offerings is made to break a rule in the three
years the national defaults look at (2017–2019): enrolment under 30 every year (MJ-08A; exempt in the
agriculture, health and arts 大类 61/72/75), or none at all (MJ-09); the rest enrol 30–120 with an
occasional weak year. Graduates follow the enrolment three years before, ``employed`` ≤ graduates,
``employed_related`` ≤ employed (rule OFY-D1).

The crosswalk is the shipped file (chanjiao/layout/data/crosswalk_2021.csv) as ``crosswalk.load_default``
creates it: version 1, published from 2000-01-01, no region; its rows go in with COPY into a temporary
table and from there into the entries, the industry and occupation codes resolved in SQL. Each enterprise
declares one row for 2019: a 专业类 the crosswalk maps onto (a code enclosing) its own industry where
there is one, else any 专业类 of the file.

Like engagement.py, these rows carry no ``create`` audit event (about 275,000 at full scale, and no
benchmark reads them); no StatusChange either (every offering is live from its filing on).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from benchmarks.generators import Context, at, timed

OFFERINGS_PER_SCHOOL = 30
NEW_SINCE = (2017, 2018, 2019)  # start years of a school's last offerings (one each)
YEARS = tuple(range(2015, 2020))  # the yearly figures: 2015–2019
DEMAND_YEAR = 2019
LOW_SHARE, NONE_SHARE = 0.08, 0.03  # offerings made to break MJ-08A / MJ-09 over 2017–2019


# chanjiao/layout/crosswalk.py DEFAULT_FILE, without importing Django (``sizes()`` runs before setup too).
CROSSWALK_FILE = Path(__file__).resolve().parents[2] / "chanjiao" / "layout" / "data" / "crosswalk_2021.csv"


def crosswalk_rows() -> list[dict[str, str]]:
    """The shipped file's rows (every industry code of it is in the GB/T 4754 catalogue: checked on load)."""
    with CROSSWALK_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def year_rows_per_school() -> int:
    """OfferingYear rows of one school: five per older offering, one per year since for the new ones."""
    old = OFFERINGS_PER_SCHOOL - len(NEW_SINCE)
    return old * len(YEARS) + sum(YEARS[-1] - y + 1 for y in NEW_SINCE)


class LayoutGenerator:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("layout")
        self.s = ctx.sizes
        self.schools: list[tuple[int, str]] = [s for unit in ctx.shared["schools_by_unit"] for s in unit]
        self.majors: dict[str, list[tuple[str, str, int]]] = ctx.shared["majors"]

    def run(self) -> None:
        self.offerings()
        self.crosswalk()
        self.demand()

    # ------------------------------------------------------------------ offerings and their years
    def _popular(self, level: str) -> list[tuple[tuple[str, str, int], float]]:
        """The level's majors in a random order, weighted 1/(rank + 4): a few very common, a long tail."""
        pool = list(self.majors[level])
        self.rng.shuffle(pool)
        return [(m, 1.0 / (rank + 4)) for rank, m in enumerate(pool)]

    def _enrolments(self, start: int, kind: str) -> dict[int, int]:
        out = {}
        for year in YEARS:
            if year < start:
                continue
            if year >= 2017 and kind == "low":
                out[year] = self.rng.randint(1, 29)
            elif year >= 2017 and kind == "none":
                out[year] = 0
            elif self.rng.random() < 0.1:
                out[year] = self.rng.randint(0, 29)  # a weak year, not three in a row
            else:
                out[year] = self.rng.randint(30, 120)
        return out

    def offerings(self) -> None:
        from chanjiao.layout.models import Offering, OfferingYear

        weighted = {level: self._popular(level) for level in self.majors}
        oid, yid = self.ctx.next_id("layout_offering"), self.ctx.next_id("layout_offeringyear")
        offering_rows: list[dict[str, Any]] = []
        year_rows: list[dict[str, Any]] = []
        old = OFFERINGS_PER_SCHOOL - len(NEW_SINCE)
        with timed(self.ctx, "layout: plan offerings"):
            for sid, level in self.schools:
                # OFFERINGS_PER_SCHOOL distinct majors, weighted (keys u^(1/w), the largest win).
                keyed = sorted(weighted[level], key=lambda mw: -(self.rng.random() ** (1.0 / mw[1])))
                for k, ((_code, _name, major_id), _w) in enumerate(keyed[:OFFERINGS_PER_SCHOOL]):
                    start = NEW_SINCE[k - old] if k >= old else self.rng.randint(2002, 2015)
                    roll = self.rng.random()
                    kind = "low" if roll < LOW_SHARE else ("none" if roll < LOW_SHARE + NONE_SHARE else "")
                    filed = dt.date(start - 1, self.rng.randint(3, 8), self.rng.randint(1, 28))
                    when = at(365 * self.rng.random())
                    offering_rows.append({
                        "id": oid, "created_at": when, "updated_at": when, "school_id": sid, "major_id": major_id,
                        "off_catalogue_name": "", "direction": "", "cluster": "", "start_year": start,
                        "filed_on": filed, "filing_ref": f"鄂教职备〔{start - 1}〕{oid}号", "status": "enrolling"})
                    enrolled = self._enrolments(start, kind)
                    for year, n in enrolled.items():
                        before = enrolled.get(year - 3)
                        if before is None and year - 3 >= start:
                            before = self.rng.randint(30, 120)  # a cohort enrolled before 2015
                        graduates = round((before or 0) * self.rng.uniform(0.75, 0.98))
                        employed = round(graduates * self.rng.uniform(0.45, 0.98))
                        planned = None if self.rng.random() < 0.1 else n + self.rng.randint(0, 30)
                        year_rows.append({
                            "id": yid, "created_at": when, "updated_at": when, "offering_id": oid, "year": year,
                            "planned_enrolment": planned, "enrolled": n, "students": n * 3 - self.rng.randint(0, n),
                            "graduates": graduates, "employed": employed,
                            "employed_related": round(employed * self.rng.uniform(0.5, 0.95))})
                        yid += 1
                    oid += 1
        self.ctx.copy(Offering, offering_rows)
        self.ctx.copy(OfferingYear, year_rows)

    # ------------------------------------------------------------------ the default crosswalk
    def crosswalk(self) -> None:
        from chanjiao.layout import crosswalk as cw
        from chanjiao.layout.models import CrosswalkEntry, CrosswalkVersion

        when = at(0.5)
        vid = self.ctx.next_id("layout_crosswalkversion")
        self.ctx.copy(CrosswalkVersion, [{
            "id": vid, "created_at": when, "updated_at": when, "number": cw.DEFAULT_NUMBER, "title": cw.DEFAULT_TITLE,
            "region_id": None, "published_on": cw.DEFAULT_FROM, "based_on_id": None, "status": "published",
            "note": "随平台发布的默认对照表，见 chanjiao/layout/data/SOURCE.md。"}])
        rows = crosswalk_rows()
        table = CrosswalkEntry._meta.db_table
        with timed(self.ctx, "layout.crosswalkentry (COPY + INSERT … SELECT)"), self.ctx.conn.cursor() as cur:
            cur.execute("CREATE TEMPORARY TABLE gen_crosswalk (n int, class_code text, industry_code text, "
                        "occupation_code text, reason text, source text) ON COMMIT DROP")
            with cur.copy("COPY gen_crosswalk FROM STDIN") as copy:
                for n, r in enumerate(rows):
                    copy.write_row((n, r["class_code"], r["industry_code"], r["occupation_code"], r["reason"],
                                    r["source"]))
            # As load_default: only rows whose industry the catalogue has; the texts cut to the fields.
            cur.execute(f"""
                INSERT INTO "{table}" (created_at, updated_at, version_id, class_code, major_id, industry_id,
                                       occupation_id, reason, source)
                SELECT %s, %s, %s, t.class_code, NULL, i.id, oc.id, left(t.reason, 200), left(t.source, 300)
                FROM gen_crosswalk t JOIN catalog_industry i ON i.code = t.industry_code
                LEFT JOIN catalog_occupation oc ON oc.code = nullif(t.occupation_code, '')
                ORDER BY t.n""", [when, when, vid])
            written = cur.rowcount
        self.ctx.tables.append(table)
        self.ctx.note("layout.crosswalkentry", written, 0.0)
        if written != self.s["layout.crosswalkentry"]:
            raise SystemExit(f"crosswalk: {written} entries written, sizes() says {self.s['layout.crosswalkentry']}")
        # 专业类 by the industry code an entry names (2-, 3- or 4-digit), for the demand below.
        self.classes_by_industry: dict[str, list[str]] = {}
        for r in rows:
            self.classes_by_industry.setdefault(r["industry_code"], [])
            if r["class_code"] not in self.classes_by_industry[r["industry_code"]]:
                self.classes_by_industry[r["industry_code"]].append(r["class_code"])
        self.all_classes = sorted({r["class_code"] for r in rows})

    # ------------------------------------------------------------------ declared demand
    def demand(self) -> None:
        from chanjiao.layout.models import DeclaredDemand

        with self.ctx.conn.cursor() as cur:
            cur.execute("""SELECT o.id, coalesce(i.code, '') FROM orgs_organisation o
                           LEFT JOIN catalog_industry i ON i.id = o.industry_id
                           WHERE o.kind = 'enterprise' ORDER BY o.id""")
            firms = cur.fetchall()
        did = self.ctx.next_id("layout_declareddemand")
        educations = ["secondary", "associate", "associate", "bachelor_voc", "any", "any"]

        def rows() -> Any:
            nonlocal did
            for firm, code in firms:
                # The 专业类 the crosswalk maps onto the firm's 小类 or an enclosing 中类 / 大类.
                matching = [c for n in (4, 3, 2) for c in self.classes_by_industry.get(code[:n], [])] if code else []
                class_code = self.rng.choice(matching or self.all_classes)
                when = at(30 + 300 * self.rng.random())
                yield {"id": did, "created_at": when, "updated_at": when, "enterprise_id": firm, "year": DEMAND_YEAR,
                       "occupation_id": None, "class_code": class_code, "position": "",
                       "headcount": self.rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 15)),
                       "education": self.rng.choice(educations), "committee_id": None, "note": ""}
                did += 1

        self.ctx.copy(DeclaredDemand, rows())


def generate(ctx: Context) -> None:
    LayoutGenerator(ctx).run()
