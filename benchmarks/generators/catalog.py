"""Catalog lookups: the code tables are loaded by ``manage.py load_catalogs``, never generated.

This module only reads what the other modules need: Hubei's prefecture-level units and counties,
the GB/T 4754 小类 (leaf level) and every industry code the pillars map onto, and the majors.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.generators import PROVINCE_CODE, UNITS, Context


@dataclass(frozen=True)
class Unit:
    """A prefecture-level unit (市/州, or a 直辖县级 unit that is its own only county)."""

    code: str
    name: str
    short: str  # 武汉, 恩施, 仙桃 …
    weight: float
    region_id: int  # the unit's own region row (the city, or the 直辖 county)
    counties: tuple[tuple[str, str, int], ...]  # (code, name, region id)


def _short(name: str) -> str:
    for suffix in ("土家族苗族自治州", "林区", "市", "州"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load(ctx: Context) -> None:
    with ctx.conn.cursor() as cur:
        cur.execute("SELECT code, name, id, parent_id FROM catalog_region WHERE code LIKE %s AND level <= 3 "
                    "ORDER BY code", [PROVINCE_CODE + "%"])
        regions = cur.fetchall()
        cur.execute("SELECT code, name, id FROM catalog_industry ORDER BY code")
        industries = cur.fetchall()
        cur.execute("SELECT code, name, level, id FROM catalog_industry WHERE level = 4 ORDER BY code")
        leaves = cur.fetchall()
        cur.execute("SELECT code, name, level, id FROM catalog_major ORDER BY code")
        majors = cur.fetchall()
    by_code = {code: (name, rid, parent) for code, name, rid, parent in regions}
    if PROVINCE_CODE not in by_code or not leaves or not majors:
        raise SystemExit("catalog tables are empty: run manage.py load_catalogs on the scratch database first")
    units = []
    for code, weight in UNITS:
        name, rid, _parent = by_code[code]
        if len(code) == 6:  # 仙桃 … : the unit is its own county
            counties = ((code, name, rid),)
        else:
            counties = tuple((c, n, r) for c, (n, r, p) in by_code.items() if p == rid and len(c) == 6)
        units.append(Unit(code, name, _short(name), weight, rid, counties))
    ctx.shared["province_region_id"] = by_code[PROVINCE_CODE][1]
    ctx.shared["units"] = units
    ctx.shared["industry_ids"] = {code: rid for code, _name, rid in industries}
    ctx.shared["industry_names"] = {code: name for code, name, _rid in industries}
    ctx.shared["leaf_industries"] = [(code, name, rid) for code, name, _lvl, rid in leaves]
    # One major per name and level (guidance committees are named after their major, unique per school).
    by_level: dict[str, dict[str, tuple[str, str, int]]] = {"secondary": {}, "associate": {}}
    for code, name, level, mid in majors:
        if level in by_level:
            by_level[level].setdefault(name, (code, name, mid))
    ctx.shared["majors"] = {level: list(named.values()) for level, named in by_level.items()}
