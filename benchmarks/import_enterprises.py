"""Benchmark: import N enterprises from .xlsx (full validation, audit) vs. a plain PostgreSQL COPY.

    .venv/bin/python benchmarks/import_enterprises.py --rows 100000

Needs PostgreSQL. Uses a scratch database (default ``chanjiao_bench`` on the server named by
DATABASE_URL, re-created on each run), generates N valid enterprises (valid 统一社会信用代码, real
GB/T 4754 industry codes) as .xlsx and as CSV, and times in separate child processes (so each
peak RSS is its own):

(a) the full import path: read xlsx + validate + commit + audit, as the upload page runs it;
(b) ``COPY <empty copy of orgs_organisation> FROM STDIN`` of the same rows via psycopg;
(c) a re-import of the same file (unchanged=N, nothing written).

Prints a table and writes JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

HEADERS = ["统一社会信用代码", "企业名称", "简称", "行业代码", "企业规模", "所有制", "从业人数", "人数统计日期",
           "是否龙头企业", "地址"]
SIZES = [("大型", "large"), ("中型", "medium"), ("小型", "small"), ("微型", "micro")]
OWNERSHIP = [("国有", "state"), ("民营", "private"), ("外资", "foreign"), ("混合所有制", "mixed")]
WORDS = ["宜昌", "三峡", "长江", "精密", "机械", "智能", "电子", "化工", "生物", "医药", "新材料", "物流", "食品",
         "软件", "光电", "能源", "汽车", "装备", "数字", "农业"]


def scratch_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CHANJIAO_PROFILE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chanjiao.settings")
    import django

    django.setup()


def recreate_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(scratch_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def industry_codes() -> list[tuple[str, str, str]]:
    path = ROOT / "chanjiao" / "catalog" / "data" / "industry_gbt4754_2017" / "gbt4754_2017.csv"
    with path.open(encoding="utf-8") as fh:
        return [(r["code"], r["name"], r["section"]) for r in csv.DictReader(fh) if r["level"] == "4"]


def prepare(url: str, rows: int, work: Path) -> dict[str, Any]:
    """Scratch DB, catalog rows, a bureau user, the .xlsx and the COPY CSV (not timed)."""
    import xlsxwriter
    from django.core.management import call_command
    from stdnum.cn import uscc

    call_command("migrate", verbosity=0)
    from chanjiao.accounts.models import Membership, User
    from chanjiao.catalog.models import Industry
    from chanjiao.core.text import pinyin_initials
    from chanjiao.orgs.models import Organisation

    codes = industry_codes()
    Industry.objects.bulk_create([Industry(code=c, name=n, section=s, level=4, edition="2017") for c, n, s in codes])
    user = User.objects.create_user(username="bench_bureau", password="x-Bench-12345")
    Membership.objects.create(user=user, role="bureau_admin")
    industry_ids = dict(Industry.objects.values_list("code", "pk"))

    xlsx_path, csv_path = work / f"enterprises-{rows}.xlsx", work / f"enterprises-{rows}.csv"
    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("企业")
    text = book.add_format({"num_format": "@"})
    sheet.write_row(0, 0, HEADERS)
    columns = [f.column for f in Organisation._meta.concrete_fields if f.column != "id"]
    now = dt.datetime.now(dt.UTC).isoformat()
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        for i in range(rows):
            base = f"91420500MA{i:07d}"
            code = base + uscc.calc_check_digit(base)
            name = f"{WORDS[i % 20]}{WORDS[(i // 20) % 20]}{WORDS[(i // 400) % 20]}科技有限公司{i}"
            industry = codes[(i * 7) % len(codes)][0]
            size, owner = SIZES[i % 4], OWNERSHIP[i % 4]
            headcount = 5 + (i * 13) % 5000
            day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 365)
            leading = i % 50 == 0
            address = f"宜昌市西陵区发展大道{i % 999 + 1}号"
            sheet.write_string(i + 1, 0, code, text)
            sheet.write_string(i + 1, 1, name)
            sheet.write_string(i + 1, 2, "")
            sheet.write_string(i + 1, 3, industry, text)
            sheet.write_string(i + 1, 4, size[0])
            sheet.write_string(i + 1, 5, owner[0])
            sheet.write_number(i + 1, 6, headcount)
            sheet.write_string(i + 1, 7, day.isoformat())
            sheet.write_string(i + 1, 8, "是" if leading else "否")
            sheet.write_string(i + 1, 9, address)
            values = {
                "created_at": now, "updated_at": now, "kind": "enterprise", "name": name, "short_name": "",
                "initials": pinyin_initials(name), "region_id": None, "address": address, "website": "",
                "is_demo": "f", "school_code": None, "school_level": "", "funding": "", "competent_authority": "",
                "uscc": code, "industry_id": industry_ids[industry], "size": size[1], "ownership": owner[1],
                "headcount": headcount, "headcount_date": day.isoformat(), "is_leading": "t" if leading else "f",
                "established": None, "integration_status": "none", "is_industry_authority": "f",
            }
            out.writerow([r"\N" if values.get(c, "") is None else values.get(c, "") for c in columns])
    book.close()
    return {"xlsx": str(xlsx_path), "csv": str(csv_path), "columns": columns, "user_id": user.pk,
            "xlsx_bytes": xlsx_path.stat().st_size, "csv_bytes": csv_path.stat().st_size}


def phase_import(args: argparse.Namespace) -> dict[str, Any]:
    from chanjiao.accounts.models import User
    from chanjiao.core.audit import audit_context
    from chanjiao.core.models import AuditEvent
    from chanjiao.orgs.imports import EnterpriseImporter

    user = User.objects.get(pk=args.user_id)
    path = Path(args.file)
    events_before = AuditEvent.objects.filter(category="data").count()
    start = time.perf_counter()
    with audit_context(user=user, source="benchmark"):
        result = EnterpriseImporter(user).commit(path, path.name)
    seconds = time.perf_counter() - start
    assert result.committed, (result.refused, [e.as_dict() for e in result.errors[:5]])
    return {"seconds": seconds, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "errors": result.error_count,
            "data_events": AuditEvent.objects.filter(category="data").count() - events_before,
            "peak_rss_mb": peak_rss_mb()}


def phase_copy(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    columns = ", ".join(f'"{c}"' for c in args.columns.split(","))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        # Same columns, defaults, indexes and unique constraints as the real table, but empty.
        cursor.execute("CREATE TABLE bench_copy (LIKE orgs_organisation INCLUDING ALL)")
    connection.commit() if not connection.get_autocommit() else None
    start = time.perf_counter()
    with connection.cursor() as cursor, cursor.copy(
            f"COPY bench_copy ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy, \
            open(args.file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            copy.write(chunk)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_copy")
        copied = cursor.fetchone()[0]
    return {"seconds": seconds, "rows": copied,
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM resets on exec; ru_maxrss can carry the parent's peak)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(phase: str, url: str, extra: list[str]) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "CHANJIAO_PROFILE": "test"}
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *extra], env=env, check=False,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{phase} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="chanjiao_bench", help="scratch database (dropped and re-created)")
    parser.add_argument("--phase", choices=["import", "copy"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--user-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--columns", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:  # child process: one measurement, JSON on stdout
        setup_django(os.environ["DATABASE_URL"])
        print(json.dumps(phase_import(args) if args.phase == "import" else phase_copy(args)))
        return

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point to PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/chanjiao")
    url = scratch_url(base, args.database)
    recreate_database(base, args.database)
    work = OUT / "work"
    work.mkdir(parents=True, exist_ok=True)
    os.environ["IMPORT_MAX_ROWS"] = str(max(args.rows, 200_000))
    setup_django(url)
    t0 = time.perf_counter()
    files = prepare(url, args.rows, work)
    generate_s = time.perf_counter() - t0

    copy = child("copy", url, ["--file", files["csv"], "--columns", ",".join(files["columns"])])
    first = child("import", url, ["--file", files["xlsx"], "--user-id", str(files["user_id"])])
    again = child("import", url, ["--file", files["xlsx"], "--user-id", str(files["user_id"])])
    n = args.rows
    report = {
        "rows": n, "generated_in_s": round(generate_s, 1), "xlsx_mb": round(files["xlsx_bytes"] / 1048576, 1),
        "postgres": os.environ.get("DATABASE_URL", "").split("@")[-1],
        "copy": {**copy, "rows_per_s": n / copy["seconds"]},
        "import": {**first, "rows_per_s": n / first["seconds"]},
        "reimport": {**again, "rows_per_s": n / again["seconds"]},
        "ratio_import_vs_copy": (n / first["seconds"]) / (n / copy["seconds"]),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    assert first["created"] == n and first["data_events"] == n, first
    assert again["unchanged"] == n and again["created"] == again["updated"] == again["data_events"] == 0, again
    OUT.mkdir(exist_ok=True)
    target = OUT / f"import_enterprises-{n}.json"
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False))

    print(f"{'path':<34}{'seconds':>9}{'rows/s':>11}{'peak RSS MB':>13}")
    for label, key in [("COPY FROM STDIN (baseline)", "copy"), ("import xlsx: validate+commit+audit", "import"),
                       ("re-import same file (unchanged)", "reimport")]:
        r = report[key]
        print(f"{label:<34}{r['seconds']:>9.2f}{r['rows_per_s']:>11,.0f}{r['peak_rss_mb']:>13.0f}")
    print(f"ratio import / COPY: {report['ratio_import_vs_copy']:.1%} (target ≥ 10%)   → {target}")


if __name__ == "__main__":
    main()
