"""The province-scale generator (benchmarks/generate.py, issue #8 point 1) at a tiny scale.

PostgreSQL only (the generator loads through COPY). Generates into a scratch database named after
the test database, three times (seed 2, seed 1, seed 1 again), and checks the row counts against
the generator's own size function, determinism per table, scope sanity and the audit hash chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.002
# Every table the generator writes, hashed over its whole rows in id order.
TABLES = ["orgs_organisation", "orgs_contact", "orgs_teacher", "orgs_vocationalgroup", "orgs_boardterm",
          "orgs_boardseat", "orgs_pillarindustry", "orgs_pillarindustry_industries", "orgs_committee",
          "orgs_committeemembership", "orgs_guidancecommittee", "orgs_guidancemember", "accounts_user",
          "accounts_membership", "core_auditevent"]

pytestmark = pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                                reason="the generator writes through PostgreSQL COPY; SQLite has no COPY")


def _scratch_url() -> str:
    name = settings.DATABASES["default"]["NAME"]
    name = name if name.startswith("test_") else f"test_{name}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}_gen"))


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "CHANJIAO_PROFILE": "test"}


def _generate(url: str, seed: int) -> None:
    # In this process (Django is set up already; the generator writes through its own connection).
    from benchmarks.generate import generate

    generate(url, SCALE, seed, quiet=True)


def _query(url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _hashes(url: str) -> dict[str, str]:
    sql = " UNION ALL ".join(f"SELECT '{t}', md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')) "
                             f"FROM \"{t}\" t" for t in TABLES)
    return dict(_query(url, sql))


@pytest.fixture(scope="module")
def generated() -> Any:
    from benchmarks.generate import drop_database

    url = _scratch_url()
    try:
        _generate(url, seed=2)
        other = _hashes(url)
        _generate(url, seed=1)
        first = _hashes(url)
        _generate(url, seed=1)  # this one stays for the checks below
        yield {"url": url, "first": first, "again": _hashes(url), "other": other}
    finally:
        drop_database(url, template=True)


def test_row_counts_follow_the_size_function(generated: Any) -> None:
    from benchmarks.generators import SECURITY_EVENTS, sizes

    url, want = generated["url"], sizes(SCALE)
    kinds = dict(_query(url, "SELECT kind, count(*) FROM orgs_organisation GROUP BY kind"))
    for kind in ("school", "enterprise", "department", "association", "institute"):
        assert kinds.get(kind, 0) == want[f"orgs.organisation:{kind}"], kind
    for label in ("orgs.organisation", "orgs.contact", "orgs.teacher", "orgs.vocationalgroup", "orgs.boardterm",
                  "orgs.boardseat", "orgs.pillarindustry", "orgs.committee", "orgs.committeemembership",
                  "orgs.guidancecommittee", "orgs.guidancemember", "accounts.user", "accounts.membership"):
        table = label.replace(".", "_")
        assert _query(url, f'SELECT count(*) FROM "{table}"')[0][0] == want[label], label
    roles = dict(_query(url, "SELECT role, count(*) FROM accounts_membership GROUP BY role"))
    assert roles == {k.split(":")[1]: v for k, v in want.items() if k.startswith("accounts.membership:")}
    events = dict(((c, a), n) for c, a, n in _query(
        url, "SELECT category, action, count(*) FROM core_auditevent WHERE source <> 'command:load_catalogs' "
             "GROUP BY 1, 2"))
    assert events.pop(("data", "create")) == want["audit:data_create"]
    assert events.pop(("data", "update")) == want["audit:data_update"] + want["audit:data_m2m"]
    assert events == {("security", a): want[f"audit:security_{a}"] for a in SECURITY_EVENTS}
    # Sizes scale: a tenth of the full province, at least one of each kind.
    assert sizes(0.1)["orgs.organisation:enterprise"] == 20_000 and sizes(0.000001)["orgs.teacher"] == 1


def test_same_seed_same_rows_other_seed_other_rows(generated: Any) -> None:
    assert generated["first"] == generated["again"]
    differs = {t for t in TABLES if generated["first"][t] != generated["other"][t]}
    assert {"orgs_organisation", "orgs_contact", "orgs_teacher", "orgs_committeemembership", "accounts_user",
            "core_auditevent"} <= differs


def test_rows_are_in_hubei_and_point_to_existing_rows(generated: Any) -> None:
    from stdnum.cn import uscc

    url = generated["url"]
    outside = _query(url, """
        SELECT o.kind, o.name, r.code FROM orgs_organisation o LEFT JOIN catalog_region r ON r.id = o.region_id
        WHERE o.kind IN ('school', 'enterprise') AND (r.id IS NULL OR r.level <> 3 OR r.code NOT LIKE '42%%')""")
    assert outside == []
    assert _query(url, """SELECT count(*) FROM orgs_teacher t LEFT JOIN orgs_organisation s ON s.id = t.school_id
                          WHERE s.id IS NULL OR s.kind <> 'school'""")[0][0] == 0
    for table, column in (("orgs_committeemembership", "organisation_id"), ("orgs_guidancemember", "organisation_id"),
                          ("orgs_boardseat", "organisation_id"), ("accounts_membership", "organisation_id"),
                          ("orgs_committee", "director_id")):
        assert _query(url, f"""SELECT count(*) FROM "{table}" m LEFT JOIN orgs_organisation o ON o.id = m.{column}
                               WHERE m.{column} IS NOT NULL AND o.id IS NULL""")[0][0] == 0, table
    # Memberships point into their committee's own group structure.
    assert _query(url, """SELECT count(*) FROM orgs_committeemembership m
                          LEFT JOIN orgs_committee c ON c.id = m.committee_id WHERE c.id IS NULL""")[0][0] == 0
    leaves = _query(url, """SELECT count(*) FROM orgs_organisation o JOIN catalog_industry i ON i.id = o.industry_id
                            WHERE o.kind = 'enterprise' AND i.level <> 4""")
    assert leaves[0][0] == 0
    codes = [c for (c,) in _query(url, "SELECT uscc FROM orgs_organisation WHERE uscc IS NOT NULL")]
    assert codes and all(uscc.is_valid(c) for c in codes)
    # Sequences were reset: the next id drawn is past every generated row.
    for table in ("orgs_organisation", "orgs_teacher", "core_auditevent", "accounts_user"):
        nxt, top = _query(url, f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')), "
                               f"(SELECT max(id) FROM \"{table}\")")[0]
        assert nxt > top, table


def test_the_audit_hash_chain_verifies(generated: Any) -> None:
    url = generated["url"]
    out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "verify_audit"], env=_env(url), cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    total = _query(url, "SELECT count(*) FROM core_auditevent")[0][0]
    assert str(total) in out.stdout
