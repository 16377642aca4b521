"""The teacher enterprise-practice tracker (TP-01, TP-02; issue #9 point 6), computed in SQL.

**What is counted.** A teacher's practice days are the union of their records (overlapping or
repeated records count each day once), both ends included, and only days up to ``on`` (a record
still running, or planned, counts the days already done). **A month is 30 days**: the national
6 months are 180 counted days (``DAYS_PER_MONTH``) — calendar months have 28–31 days, a threshold
must not depend on where the window happens to start. **Years are calendar years**: the window of
day ``d`` is ``[years_before(d, Y), d]`` (29 February → 28 February), both ends included.

**The due date** (最迟须完成日期) is the first day ``d ≥ on`` on which the window of ``d`` holds fewer
than the threshold's days if no further practice is recorded. As the window slides, old days drop
out; the teacher falls short the day after the window's start passes ``s*``, the threshold-th
practice day counted back from ``on``: ``due = years_after(s* + 1, Y)``, the first ``d`` with
``years_before(d, Y) ≥ s* + 1``. Fewer days than the threshold on record: short today.

**New teachers.** The rule binds from the first full window on: a teacher hired on ``h`` is first
held to it on ``years_after(h, Y)`` (a teacher hired last month is not overdue, whatever they have
done). So ``due = max(on, years_after(h, Y), years_after(s* + 1, Y))``. Practice before the hire date
(岗前实践) counts in the windows that contain it. No hire date: held to it from the start.

**Status**: 已逾期 ``due = on`` (short today); 半年内到期 ``due ≤ on + 183``; 新入职未满周期 short of the
threshold but not yet held to it (and not within 183 days); 已达标 otherwise (also: no threshold).

The whole computation is one SQL query over the caller's (scoped) teacher queryset: union of
intervals by gaps-and-islands (window functions), clipped to each teacher's window, the due date from
the islands counted back from ``on`` by a running sum. The thresholds come from the rule engine
(``ParamResolver``): each jurisdiction with its own values is one ``CASE`` branch, as in ``scan``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Aggregate, Case, F, Func, IntegerField, JSONField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.navigation import Page, register_page
from chanjiao.core.roles import Role
from chanjiao.core.rules import ParamResolver, ParamValue, Rule, RuleParameter, region_names, rules, scan
from chanjiao.engagement.models import TeacherPractice
from chanjiao.orgs.models import School, Teacher, TeacherCategory
from chanjiao.orgs.rules import years_before

TP01, TP02 = "TP-01", "TP-02"
PRACTICE = "practice"  # the rules' event: asked by the tracker and the scan, not on every teacher save
DAYS_PER_MONTH = 30
DUE_SOON_DAYS = 183
TRACKED = (TeacherCategory.SUBJECT, TeacherCategory.INSTRUCTOR)
EPOCH = dt.date(1970, 1, 1)

OK, NEW, DUE, OVERDUE = "ok", "new", "due", "overdue"
STATUS_LABELS = {
    OK: gettext_lazy("已达标"),
    NEW: gettext_lazy("新入职未满周期"),
    DUE: gettext_lazy("半年内到期"),
    OVERDUE: gettext_lazy("已逾期"),
}


def years_after(day: dt.date, years: int) -> dt.date:
    """The first day ``d`` with ``years_before(d, years) ≥ day``: the same calendar day ``years`` later,
    29 February → 1 March (its 28 February still looks back to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def threshold_days(p: dict[str, Any]) -> int:
    """Counted days required (0: no requirement — a zero month or year parameter)."""
    months, years = int(p.get("months") or 0), int(p.get("years") or 0)
    return months * DAYS_PER_MONTH if months > 0 and years > 0 else 0


# ------------------------------------------------------------------------------- one teacher (Python)


@dataclass(frozen=True)
class Standing:
    done: int  # counted days in the current window
    required: int  # threshold in days (0: none)
    due: dt.date | None  # first day short (None: no requirement)

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.done)


def standing(periods: Iterable[tuple[dt.date, dt.date]], hire_date: dt.date | None, p: dict[str, Any],
             on: dt.date) -> Standing:
    """One teacher's standing from their records — the rule's ``check()`` (a handful of records of one
    teacher at write time); pages and scans use the SQL below, which states the same definition."""
    required, years = threshold_days(p), int(p.get("years") or 0)
    merged: list[list[dt.date]] = []
    for start, end in sorted((s, min(e, on)) for s, e in periods if s <= on and e >= s):
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    window = years_before(on, years)
    done = sum(max(0, (e - max(s, window)).days + 1) for s, e in merged)
    if not required:
        return Standing(done, 0, None)
    due = on
    if hire_date is not None:
        due = max(due, years_after(hire_date, years))
    need = required
    for start, end in reversed(merged):
        length = (end - start).days + 1
        if length >= need:
            due = max(due, years_after(end - dt.timedelta(days=need - 1) + dt.timedelta(days=1), years))
            break
        need -= length
    return Standing(done, required, due)


def status_of(s: Standing, on: dt.date) -> str:
    if s.due is None:
        return OK
    if s.due <= on:
        return OVERDUE
    if s.due <= on + dt.timedelta(days=DUE_SOON_DAYS):
        return DUE
    return NEW if s.done < s.required else OK


# ---------------------------------------------------------------------------------------- SQL pieces


def _dialect() -> tuple[Callable[[str], str], Callable[[str], str], Callable[[str, str], str]]:
    """(day number of a date, date of a day number, ``years_after(date, years)``) in this database's SQL."""
    if connection.vendor == "postgresql":
        def shift_pg(d: str, y: str) -> str:
            moved = f"(({d}) + make_interval(years => ({y})::integer))"
            # PostgreSQL moves 29 February to 28 February; years_after wants 1 March.
            leap = (f"CASE WHEN EXTRACT(MONTH FROM {d}) = 2 AND EXTRACT(DAY FROM {d}) = 29 "
                    f"AND EXTRACT(DAY FROM {moved}) = 28 THEN 1 ELSE 0 END")
            return f"({moved}::date + {leap})"

        return (lambda d: f"(({d}) - DATE '1970-01-01')",
                lambda n: f"(DATE '1970-01-01' + ({n})::integer)", shift_pg)
    # SQLite: julian day numbers; date(x, '+N years') already moves 29 February to 1 March.
    return (lambda d: f"CAST(julianday({d}) - 2440587.5 AS INTEGER)",
            lambda n: f"date(({n}) + 2440587.5)",
            lambda d, y: f"date({d}, '+' || ({y}) || ' years')")


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _buckets(rule: Rule, resolver: ParamResolver) -> list[tuple[Q, dict[str, ParamValue]]]:
    """(teachers of one jurisdiction, the values they use): most specific first, national last — as
    the engine's scan groups them."""
    buckets: list[tuple[Q, dict[str, ParamValue]]] = []
    taken = Q(pk__in=[])
    for code in resolver.overridden(rule):
        here = Q(**{f"{rule.region_path}__startswith": code})
        buckets.append((here & ~taken, resolver.values(rule, code)))
        taken |= here
    buckets.append((~taken, resolver.values(rule, "")))
    return buckets


def _bucket_values(p: dict[str, Any], on: dt.date) -> tuple[int, int, int]:
    years = int(p.get("years") or 0)
    return threshold_days(p), years, _day(years_before(on, years))


def _tracker_sql(teachers: QuerySet[Teacher], on: dt.date, values: Sequence[tuple[Q, dict[str, Any]]],
                 where: str = "", where_params: Sequence[Any] = ()) -> tuple[str, list[Any]]:
    """The tracker's SQL: one row per teacher of ``teachers`` with columns id, school_id, school_name,
    name, category, hire_date, required, years, done, due (day number), status. A queryset empty by
    construction (a user who sees no teacher) raises ``EmptyResultSet``."""
    dn, date_of, shift = _dialect()

    def per_bucket(index: int) -> Case:
        whens = [When(q, then=Value(_bucket_values(p, on)[index])) for q, p in values[:-1]]
        return Case(*whens, default=Value(_bucket_values(values[-1][1], on)[index]), output_field=IntegerField())

    inner = (teachers.order_by().annotate(
        tp_id=F("pk"), tp_school=F("school_id"), tp_school_name=F("school__name"), tp_name=F("name"),
        tp_category=F("category"), tp_hire=F("hire_date"), tp_tt=per_bucket(0), tp_ty=per_bucket(1),
        tp_ws=per_bucket(2))
        .values("tp_id", "tp_school", "tp_school_name", "tp_name", "tp_category", "tp_hire", "tp_tt", "tp_ty",
                "tp_ws"))
    inner_sql, inner_params = inner.query.sql_with_params()
    today, day = on.isoformat(), int(_day(on))  # literals made here from a date: nothing typed by a user
    table = connection.ops.quote_name(TeacherPractice._meta.db_table)
    soon = day + DUE_SOON_DAYS
    # Interpolated: Django's compiled SQL (its values stay parameters), ints and ISO dates made here.
    sql = f"""
WITH t AS (SELECT tp_id AS id, tp_school AS school_id, tp_school_name AS school_name, tp_name AS name,
                  tp_category AS category, tp_hire AS hire_date, tp_tt AS tt, tp_ty AS ty, tp_ws AS ws
           FROM ({inner_sql}) tq),
p AS (SELECT pr.id AS pid, pr.teacher_id AS tid, {dn('pr.start')} AS s,
             CASE WHEN pr."end" > '{today}' THEN {day} ELSE {dn('pr."end"')} END AS e
      FROM {table} pr
      WHERE pr.teacher_id IN (SELECT id FROM t) AND pr.start <= '{today}' AND pr."end" >= pr.start),
q AS (SELECT pid, tid, s, e, MAX(e) OVER (PARTITION BY tid ORDER BY s, e, pid
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM p),
g AS (SELECT tid, s, e, SUM(CASE WHEN reach IS NULL OR s > reach + 1 THEN 1 ELSE 0 END)
                        OVER (PARTITION BY tid ORDER BY s, e, pid ROWS UNBOUNDED PRECEDING) AS grp FROM q),
u AS (SELECT tid, MIN(s) AS s, MAX(e) AS e FROM g GROUP BY tid, grp),
c AS (SELECT tid, s, e, SUM(e - s + 1) OVER (PARTITION BY tid ORDER BY e DESC ROWS UNBOUNDED PRECEDING) AS cum
      FROM u),
w AS (SELECT u.tid, SUM(CASE WHEN u.e >= t.ws THEN u.e - (CASE WHEN u.s > t.ws THEN u.s ELSE t.ws END) + 1
                             ELSE 0 END) AS done
      FROM u JOIN t ON t.id = u.tid GROUP BY u.tid),
k AS (SELECT c.tid, c.e - (t.tt - (c.cum - (c.e - c.s + 1))) + 2 AS x
      FROM c JOIN t ON t.id = c.tid WHERE t.tt > 0 AND c.cum >= t.tt AND c.cum - (c.e - c.s + 1) < t.tt),
r0 AS (SELECT t.*, COALESCE(w.done, 0) AS done,
              COALESCE({dn(shift('t.hire_date', 't.ty'))}, {day}) AS grace,
              COALESCE({dn(shift(date_of('k.x'), 't.ty'))}, {day}) AS drop_out
       FROM t LEFT JOIN w ON w.tid = t.id LEFT JOIN k ON k.tid = t.id),
r1 AS (SELECT r0.*, CASE WHEN tt = 0 THEN NULL
                         WHEN grace >= drop_out THEN (CASE WHEN grace > {day} THEN grace ELSE {day} END)
                         ELSE (CASE WHEN drop_out > {day} THEN drop_out ELSE {day} END) END AS due
       FROM r0),
r AS (SELECT id, school_id, school_name, name, category, hire_date, tt AS required, ty AS years, done, due,
             CASE WHEN due IS NULL THEN '{OK}' WHEN due <= {day} THEN '{OVERDUE}' WHEN due <= {soon} THEN '{DUE}'
                  WHEN done < tt THEN '{NEW}' ELSE '{OK}' END AS status
      FROM r1)
SELECT * FROM r {where}"""  # noqa: S608
    return sql, [*inner_params, *where_params]


# -------------------------------------------------------------------------------------------- the API


@dataclass(frozen=True)
class TrackerRow:
    teacher_id: int
    name: str
    school_id: int
    school_name: str
    category: str
    hire_date: dt.date | None
    required: int
    years: int
    done: int
    due: dt.date | None
    status: str

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.done)

    @property
    def months_done(self) -> float:
        return round(self.done / DAYS_PER_MONTH, 1)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def category_label(self) -> str:
        return str(TeacherCategory(self.category).label) if self.category in TeacherCategory.values else ""


def _rule(rule_id: str) -> Rule:
    import chanjiao.engagement.rules  # noqa: F401  (registers TP-01/TP-02 when called before app ready)

    return rules[rule_id]


def _values(resolver: ParamResolver) -> list[tuple[Q, dict[str, Any]]]:
    return [(q, {k: v.value for k, v in used.items()}) for q, used in _buckets(_rule(TP01), resolver)]


def tracker(teachers: QuerySet[Teacher], on: dt.date | None = None, resolver: ParamResolver | None = None,
            status: str | Iterable[str] | None = None) -> list[TrackerRow]:
    """Per teacher of ``teachers`` (already scoped by the caller) bound by TP-01: days done in the
    current window, the threshold, the due date and the status — one query (plus the thresholds in force,
    read once per resolver). Most urgent first."""
    resolver = resolver or ParamResolver(on)
    on = resolver.on
    wanted = [status] if isinstance(status, str) else list(status or ())
    where, params = "", []
    if wanted:
        where = "WHERE status IN (" + ", ".join(["%s"] * len(wanted)) + ")"
        params = wanted
    order = " ORDER BY CASE WHEN due IS NULL THEN 1 ELSE 0 END, due, school_name, name, id"
    try:
        sql, args = _tracker_sql(teachers.filter(category__in=TRACKED), on, _values(resolver), where + order, params)
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        names = [c[0] for c in cursor.description]
        fetched = cursor.fetchall()
    rows = []
    for values in fetched:
        row = dict(zip(names, values, strict=True))
        hire = row["hire_date"]
        rows.append(TrackerRow(
            teacher_id=row["id"], name=row["name"], school_id=row["school_id"], school_name=row["school_name"],
            category=row["category"], hire_date=dt.date.fromisoformat(hire) if isinstance(hire, str) else hire,
            required=int(row["required"]), years=int(row["years"]), done=int(row["done"]),
            due=EPOCH + dt.timedelta(days=int(row["due"])) if row["due"] is not None else None,
            status=row["status"]))
    return rows


@dataclass(frozen=True)
class SchoolSummary:
    school_id: int
    school_name: str
    tracked: int
    ok: int
    new: int
    due: int
    overdue: int


def school_summary(teachers: QuerySet[Teacher], on: dt.date | None = None,
                   resolver: ParamResolver | None = None) -> list[SchoolSummary]:
    """Per school: the teachers tracked, due within 183 days (半年内到期) and overdue — one query."""
    resolver = resolver or ParamResolver(on)
    try:
        sql, args = _tracker_sql(teachers.filter(category__in=TRACKED), resolver.on, _values(resolver))
    except EmptyResultSet:
        return []
    counts = ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)" for s in (OK, NEW, DUE, OVERDUE))
    summary = (f"SELECT school_id, school_name, COUNT(*), {counts} FROM ({sql}) z "  # noqa: S608 (constants)
               "GROUP BY school_id, school_name ORDER BY school_name, school_id")
    with connection.cursor() as cursor:
        cursor.execute(summary, args)
        return [SchoolSummary(*(row[:2]), *(int(n or 0) for n in row[2:])) for row in cursor.fetchall()]


def status_counts(teachers: QuerySet[Teacher], on: dt.date | None = None,
                  resolver: ParamResolver | None = None) -> dict[str, int]:
    """How many of the tracked ``teachers`` stand in each status on ``on`` — one query (the to-do panel)."""
    resolver = resolver or ParamResolver(on)
    try:
        sql, args = _tracker_sql(teachers.filter(category__in=TRACKED), resolver.on, _values(resolver))
    except EmptyResultSet:
        return dict.fromkeys(STATUS_LABELS, 0)
    counts = ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)" for s in STATUS_LABELS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts} FROM ({sql}) z", args)  # noqa: S608 (constants)
        row = cursor.fetchone()
    return {status: int(n or 0) for status, n in zip(STATUS_LABELS, row, strict=True)}


def due_or_overdue(user: Any, on: dt.date | None = None) -> list[TrackerRow]:
    """The teachers ``user`` may see who are overdue or fall short within 183 days (the to-do panel)."""
    return tracker(Teacher.objects.visible_to(user), on, status=(OVERDUE, DUE))


def overdue_ids_sql(p: dict[str, Any], on: dt.date) -> tuple[str, list[Any]]:
    """SQL selecting the ids of every tracked teacher short today under the values ``p`` (TP-01's
    ``violated_q``: the engine calls it per jurisdiction with that jurisdiction's values)."""
    teachers = Teacher._base_manager.filter(category__in=TRACKED)
    sql, args = _tracker_sql(teachers, on, [(Q(), p)], f"WHERE status = '{OVERDUE}'")
    return f"SELECT id FROM ({sql}) z", args  # noqa: S608 (the tracker's SQL, values as parameters)


# ---------------------------------------------------------------------------- the observed value (scan)


class Pairs(Aggregate):
    """JSON array of [start, end] of a teacher's records (a scan's observed value, as ``observe`` gives it)."""

    function = "json_group_array"
    template = "json_group_array(json_array(%(expressions)s))"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="jsonb_agg(jsonb_build_array(%(expressions)s))", **extra)


class AsJSON(Func):
    """A JSON text from a subquery, kept as JSON inside ``json_object`` (SQLite); as is elsewhere."""

    function = "json"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra)


def periods_of(teacher: Teacher) -> list[list[str]]:
    """[[start, end], …] of a teacher's records (ISO dates) — the observed value of TP-01."""
    rows = TeacherPractice._base_manager.filter(teacher_id=teacher.pk).order_by("start", "end", "id")
    return [[s.isoformat(), e.isoformat()] for s, e in rows.values_list("start", "end")]


# ----------------------------------------------------------------------------------------------- page


def _day_asked(raw: str) -> tuple[dt.date | None, str]:
    """The day the standing is computed for (统计日期; today when empty), or today and a Chinese message."""
    if not raw:
        return None, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, _("统计日期应为日期，如 2020-12-31；已按今天统计。")
    if not 1900 <= day.year <= 2100:
        return None, _("统计日期应在 1900—2100 年之间；已按今天统计。")
    return day, ""


def tracker_view(request: HttpRequest) -> HttpResponse:
    """教师企业实践跟踪: the teachers the user may see, their standing under TP-01, per-school counts."""
    on, problem = _day_asked(request.GET.get("on", "").strip())
    resolver = ParamResolver(on)
    visible = Teacher.objects.visible_to(request.user)
    schools = School.objects.visible_to(request.user).filter(
        pk__in=visible.values("school_id")).order_by("name").values_list("pk", "name")
    school = request.GET.get("school", "").strip()
    status = request.GET.get("status", "").strip()
    chosen = visible
    if school:
        if school.isdigit():
            chosen = visible.filter(school_id=int(school))
        else:
            problem = _("学校参数无效，已显示全部学校。")
            school = ""
    if status and status not in STATUS_LABELS:
        problem = _("状态参数无效，已显示全部状态。")
        status = ""
    rows = tracker(chosen, resolver=resolver, status=status or None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    rule = _rule(TP01)
    # The values in force per jurisdiction — those whose rule parameters the user may read (national always).
    readable = set(RuleParameter.objects.visible_to(request.user).filter(rule_id=TP01)
                   .values_list("jurisdiction", flat=True))
    codes = [c for c in resolver.overridden(rule) if c in readable] + [""]
    names = region_names(codes)
    thresholds = []
    for code in codes:
        used = {k: v.value for k, v in resolver.values(rule, code).items()}
        thresholds.append({"jurisdiction": code, "region": names.get(code, code), "months": used["months"],
                           "years": used["years"], "days": threshold_days(used)})
    new_without = list(scan(_rule(TP02), visible.select_related("school"), resolver=resolver)
                       .order_by("school__name", "name")[:200])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": page, "summary": school_summary(chosen, resolver=resolver), "schools": list(schools),
        "school": school, "status": status, "statuses": list(STATUS_LABELS.items()), "problem": problem,
        "rule": rule, "rule_tp02": _rule(TP02), "thresholds": thresholds, "on": resolver.on,
        "new_without": new_without, "query": query.urlencode(), "due_soon_days": DUE_SOON_DAYS,
    }
    return render(request, "engagement/practice_tracker.html", context)


tracker_url = path("practice-tracker/", tracker_view, name="practice_tracker")  # engagement:practice_tracker
# In the menu for whoever reads teachers: a school's own, the bureau's (and leaders') all.
register_page(Page(gettext_lazy("校企对接"), gettext_lazy("教师企业实践跟踪"), "engagement:practice_tracker",
                   icon="user-check", order=30,
                   shown=lambda scope: bool(scope.reads_all or scope.orgs(Role.SCHOOL_ADMIN))))
