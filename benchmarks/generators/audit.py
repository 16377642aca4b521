"""Audit events: one ``create`` per generated row, the pillars' m2m events, headcount updates and a
year of security events (logins, logouts, failed logins, exports, refused pages) — hash-chained the
way ``chanjiao.core.audit.seal`` chains them, so ``manage.py verify_audit`` passes.

The other modules log their rows here as they generate them (``EventLog.create``); ``write`` sorts
every event by time, gives ids in that order (id order is chain order), seals each after the
current head of the chain (the catalog load's events) and COPYs them.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from benchmarks.generators import SECURITY_EVENTS, YEAR, Context, at

USER_AGENTS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 "
               "Safari/537.36",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
               "Safari/605.1.15",
               "python-httpx/0.27")


@dataclass(frozen=True)
class Actor:
    id: int | None
    username: str
    roles: str
    ip: str | None
    user_agent: str


SYSTEM = Actor(None, "", "", None, "")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class EventLog:
    """Events in memory as compact tuples until ``write`` orders, seals and COPYs them."""

    def __init__(self, ctx: Context) -> None:
        from chanjiao.core import audit

        self.ctx = ctx
        self.audit = audit
        self.events: list[tuple[Any, ...]] = []
        self.plans: dict[Any, list[tuple[str, bool]]] = {}

    def _plan(self, model: Any) -> list[tuple[str, bool]]:
        if model not in self.plans:
            exclude = set(getattr(model, "audit_exclude", ()))
            masked = set(getattr(model, "audit_masked", ()))
            self.plans[model] = [(f.attname, f.name in masked) for f in model._meta.concrete_fields
                                 if f.name not in exclude]
        return self.plans[model]

    def snapshot(self, model: Any, row: dict[str, Any]) -> dict[str, Any]:
        """``audit.snapshot`` of a row given as a dict (secrets left out, numbers masked)."""
        jsonable, mask = self.audit._jsonable, self.audit.mask
        out = {}
        for attname, is_masked in self._plan(model):
            value = row[attname]
            if is_masked and value:
                value = mask(str(value))
            out[attname] = jsonable(value)
        return out

    def add(self, when: dt.datetime, category: str, action: str, actor: Any, source: str, request_id: str,
            object_type: str = "", object_id: str = "", object_repr: str = "", changes: str = "{}",
            outcome: str = "success", message: str = "") -> None:
        # ``actor`` is an Actor or a key that accounts.py resolves to one (("bureau", "4201"), …).
        self.events.append((when, len(self.events), category, action, outcome, actor, request_id, source,
                            object_type, object_id, object_repr[:200], changes, message))

    def create(self, model: Any, row: dict[str, Any], repr_: str, actor: Any, source: str, request_id: str) -> None:
        snap = self.snapshot(model, row)
        changes = _dumps({k: [None, v] for k, v in snap.items()})
        when = row["created_at"] if "created_at" in row else row["date_joined"]
        self.add(when, "data", "create", actor, source, request_id, model._meta.label_lower,
                 str(row["id"]), repr_, changes)

    def update(self, model: Any, row_id: int, repr_: str, when: dt.datetime, changes: dict[str, Any], actor: Any,
               source: str, request_id: str) -> None:
        self.add(when, "data", "update", actor, source, request_id, model._meta.label_lower, str(row_id), repr_,
                 _dumps(self.audit._jsonable(changes)))


def security(ctx: Context, log: EventLog) -> None:
    """The year's security events, spread over the year, by users drawn at random."""
    rng = ctx.rng("audit")
    users: list[tuple[Actor, str]] = ctx.shared["user_actors"]  # (actor, object_repr)
    year_s = YEAR.total_seconds()
    exportable = ["orgs.organisation", "orgs.contact", "orgs.teacher", "orgs.committeemembership"]
    labels = {"orgs.organisation": "企业", "orgs.contact": "联系人", "orgs.teacher": "教师",
              "orgs.committeemembership": "产学合作委员会成员"}
    for action in SECURITY_EVENTS:
        for _k in range(ctx.sizes[f"audit:security_{action}"]):
            actor, name = users[rng.randrange(len(users))]
            when = at(rng.random() * year_s / 86_400)
            rid = f"{rng.getrandbits(128):032x}"
            if action in ("login", "logout"):
                log.add(when, "security", action, actor, "web", rid, "accounts.user", str(actor.id), name)
            elif action == "login_failed":
                anon = Actor(None, actor.username, "", actor.ip, actor.user_agent)
                log.add(when, "security", action, anon, "web", rid, outcome="failure")
            elif action == "export":
                model = exportable[rng.randrange(len(exportable))]
                details = {"model": model, "rows": rng.randint(1, 5000), "format": "table", "query": ""}
                log.add(when, "security", action, actor, "web", rid, changes=_dumps(details), message=labels[model])
            else:  # access_denied: someone opened a record outside their scope
                details = {"path": f"/orgs/teacher/{rng.randint(1, 100_000)}/", "method": "GET", "status": 404}
                log.add(when, "security", action, actor, "web", rid, "orgs.teacher", details["path"].split("/")[3],
                        changes=_dumps(details), outcome="failure")


def write(ctx: Context, log: EventLog) -> int:
    """Order, seal (hash chain after the current head) and COPY every logged event."""
    from chanjiao.core import audit
    from chanjiao.core.models import AuditEvent

    start = time.perf_counter()
    actors: dict[Any, Actor] = ctx.shared["actors"]
    events = sorted(log.events, key=lambda e: (e[0], e[1]))
    log.events = []
    with ctx.conn.cursor() as cur:
        # As lock_chain_head does: the chain lock, then the head (here: the catalog load's last event).
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [audit.CHAIN_LOCK_KEY])
        cur.execute("SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1")
        head = cur.fetchone()
    prev = head[0] if head else ""
    first_id = ctx.next_id("core_auditevent")
    key = audit._chain_keys()[0]
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    expected = ["id", "created_at", "category", "action", "outcome", "actor_id", "actor_username", "actor_roles",
                "request_id", "ip", "user_agent", "source", "object_type", "object_id", "object_repr", "changes",
                "message", "prev_hash", "hash"]
    if columns != expected:
        raise SystemExit(f"core_auditevent columns changed ({columns}): update benchmarks/generators/audit.py")
    sealed = 0

    def rows() -> Any:
        nonlocal prev, sealed
        ev = SimpleNamespace()
        for n, (when, _seq, category, action, outcome, actor, request_id, source, otype, oid, orepr, changes,
                message) in enumerate(events):
            a = actor if isinstance(actor, Actor) else actors[actor]
            ev.created_at, ev.category, ev.action, ev.outcome = when, category, action, outcome
            ev.actor_id, ev.actor_username, ev.actor_roles = a.id, a.username, a.roles
            ev.request_id, ev.ip, ev.user_agent, ev.source = request_id, a.ip, a.user_agent, source
            ev.object_type, ev.object_id, ev.object_repr = otype, oid, orepr
            ev.changes, ev.message = json.loads(changes), message
            digest = audit.event_hash(ev, prev, key)
            yield (first_id + n, when, category, action, outcome, a.id, a.username, a.roles, request_id, a.ip,
                   a.user_agent, source, otype, oid, orepr, changes, message, prev, digest)
            prev = digest
            sealed += 1

    ctx.note("audit: sort", 0, time.perf_counter() - start)
    ctx.copy_plain("core_auditevent", columns, rows(), "core.auditevent (seal + COPY)")
    return sealed
