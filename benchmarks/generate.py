"""Generate the province-scale dataset (Hubei) into a scratch PostgreSQL database.

    .venv/bin/python benchmarks/generate.py --scale 1 --seed 1
    .venv/bin/python benchmarks/generate.py --scale 0.1 --database-url postgres://postgres@127.0.0.1:5432/chanjiao_gen

Drops and re-creates the scratch database (default ``chanjiao_gen`` on the server of DATABASE_URL),
runs ``manage.py migrate`` and ``manage.py load_catalogs`` on it, then writes every generated table
with COPY in one transaction (benchmarks/generators/: catalog lookups, orgs, accounts, audit), resets
each table's sequence, ANALYZEs, and prints a table of model, rows and seconds. The same scale and
seed give the same rows (the catalog load's own audit events excepted: they carry the load's time).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE = "chanjiao_gen"


def scratch_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def default_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    return scratch_url(base, DEFAULT_DATABASE)


def recreate_database(url: str, template: str | None = None) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not name or name == "postgres" or '"' in name:
        raise SystemExit(f"refusing to re-create database {name!r}")
    with psycopg.connect(scratch_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(url: str, *, template: bool = False) -> None:
    """Drop the scratch database (and its template with ``template=True``)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(scratch_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_template" WITH (FORCE)')


def fingerprint() -> str:
    """What the migrated, catalog-loaded template depends on: migrations and catalog data files."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted([*ROOT.glob("chanjiao/*/migrations/*.py"), *ROOT.glob("chanjiao/catalog/data/*/*"),
                    ROOT / "chanjiao" / "catalog" / "services.py"])
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_template(url: str) -> tuple[str, float, float]:
    """A migrated database with the catalogs loaded, re-built only when a migration or a catalog file
    changed (its fingerprint is the database's comment): each run then copies it (CREATE DATABASE
    … TEMPLATE), so the catalog rows and their audit events are identical from run to run."""
    import psycopg

    name = urlsplit(url).path.lstrip("/") + "_template"
    want = fingerprint()
    admin = scratch_url(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [name]).fetchone()
    if row is not None and row[0] == want:
        return name, 0.0, 0.0
    t0 = time.perf_counter()
    template_url = scratch_url(url, name)
    recreate_database(template_url)
    manage(template_url, "migrate", "--verbosity", "0")
    t1 = time.perf_counter()
    manage(template_url, "load_catalogs")
    t2 = time.perf_counter()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{want}'")
    return name, t1 - t0, t2 - t1


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("CHANJIAO_PROFILE", "test")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def generate(url: str, scale: float, seed: int, *, quiet: bool = False) -> dict[str, tuple[int, float]]:
    """Re-create, migrate and fill the database at ``url``; returns {label: (rows, seconds)}."""
    t0 = time.perf_counter()
    template, t_migrate, t_catalogs = prepare_template(url)
    t1 = time.perf_counter()
    recreate_database(url, template)
    t_copy = time.perf_counter() - t1

    from django.conf import settings

    if not settings.configured:
        # Django is used for the models' metadata, the audit chain's key and the pinyin initials only;
        # every row goes through the psycopg connection below (a caller that set Django up already,
        # such as the test, keeps its own database connection).
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("CHANJIAO_PROFILE", "test")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chanjiao.settings")
        import django

        django.setup()
    import psycopg

    from benchmarks import generators
    from benchmarks.generators import accounts, audit, catalog, engagement, layout, orgs

    stats: dict[str, tuple[int, float]] = {"migrate (template, when changed)": (0, t_migrate),
                                           "load_catalogs (template, when changed)": (0, t_catalogs),
                                           "create database from template": (0, t_copy)}
    with psycopg.connect(url) as conn:
        ctx = generators.Context(seed=seed, scale=scale, conn=conn, sizes=generators.sizes(scale))
        log = audit.EventLog(ctx)
        catalog.load(ctx)
        orgs.generate(ctx, log)
        engagement.generate(ctx)
        layout.generate(ctx)
        accounts.generate(ctx, log)
        audit.security(ctx, log)
        audit.write(ctx, log)
        t2 = time.perf_counter()
        with conn.cursor() as cur:
            for table in dict.fromkeys(ctx.tables):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        conn.commit()
        ctx.note("sequences + commit", 0, time.perf_counter() - t2)
        stats.update({label: (s.rows, s.seconds) for label, s in ctx.stats.items()})
    t3 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    stats["analyze"] = (0, time.perf_counter() - t3)
    stats["total"] = (sum(r for r, _s in stats.values()), time.perf_counter() - t0)
    if not quiet:
        print_summary(stats, scale, seed, url)
    return stats


def print_summary(stats: dict[str, tuple[int, float]], scale: float, seed: int, url: str) -> None:
    print(f"scale {scale}, seed {seed} → {urlsplit(url).path.lstrip('/')} (load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    print(f"{'model / step':<40}{'rows':>12}{'seconds':>10}")
    for label, (rows, seconds) in stats.items():
        print(f"{label:<40}{rows or '':>12}{seconds:>10.1f}" if label != "total"
              else f"{'-' * 62}\n{label:<40}{rows:>12,}{seconds:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the full province; 0.1 = one tenth")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help=f"the scratch database (dropped and re-created); default: {DEFAULT_DATABASE} on the "
                             "server of DATABASE_URL")
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error("--scale must be positive")
    url = args.database_url or default_url()
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("the generator needs PostgreSQL (COPY)")
    generate(url, args.scale, args.seed)


if __name__ == "__main__":
    main()
