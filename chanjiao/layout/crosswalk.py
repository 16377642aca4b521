"""The major ↔ industry crosswalk (专业—产业对照): which version is in force, which offerings and which
declared demand a pillar industry reaches through it, and the shipped default's loading.

A pillar industry (orgs.PillarIndustry) names GB/T 4754 codes at any level (a 门类 letter, a 2-digit
大类, 3-digit 中类 or 4-digit 小类). A crosswalk entry's industry *overlaps* a pillar's when one lies
within the other. An offering belongs to the pillar when its major's entries (those refining that
major, else its 专业类's) overlap it; declared demand when the enterprise's own industry lies within the
pillar, or — for an enterprise without an industry — when its 专业类 is mapped onto it.
All are conditions (``Q``) on subqueries, so the counts run in the database and the lists behind
them use the same conditions (``OfferingYearFilterSet.pillar``, ``DeclaredDemandFilterSet.pillar``).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

from chanjiao.catalog.models import Industry
from chanjiao.core.rules import jurisdiction_chain
from chanjiao.core.scoping import nothing, unscoped
from chanjiao.layout.models import CrosswalkEntry, CrosswalkStatus, CrosswalkVersion

DEFAULT_FILE = Path(__file__).parent / "data" / "crosswalk_2021.csv"
DEFAULT_NUMBER = 1
DEFAULT_TITLE = "平台默认对照表（2021年专业目录 × GB/T 4754—2017）"
DEFAULT_FROM = dt.date(2000, 1, 1)


def in_force(region_code: str | None, on: dt.date) -> CrosswalkVersion | None:
    """The published version a region uses on ``on``: its own (or its province's), else the platform's
    default — the latest published by then, never one retired since."""
    chain = jurisdiction_chain(region_code)  # county, city, province, "" (national)
    with unscoped("the crosswalk in force is the same for every reader"):
        versions = list(CrosswalkVersion.objects.filter(status=CrosswalkStatus.PUBLISHED, published_on__lte=on)
                        .select_related("region").order_by("-published_on", "-number"))
    for code in chain:
        for version in versions:
            if (version.region.code if version.region_id else "") == code:
                return version
    return None


Codes = list[tuple[str, int, str]]  # (GB/T 4754 code, level, 门类 letter) of a pillar's industries


def industry_overlap_q(codes: Codes, path: str = "industry") -> Q:
    """Rows whose industry (at ``path``) overlaps one of ``codes``: lies within it, or contains it (a
    门类, 大类 or 中类 above it)."""
    q = nothing()
    for code, level, section in codes:
        if level == Industry.Level.SECTION:
            q |= Q(**{f"{path}__section": code})
            continue
        q |= Q(**{f"{path}__code__startswith": code})
        ancestors = [code[:n] for n in range(2, len(code))]
        if ancestors:
            q |= Q(**{f"{path}__code__in": ancestors})
        q |= Q(**{f"{path}__level": Industry.Level.SECTION, f"{path}__code": section})
    return q


def industry_within_q(codes: Codes, path: str = "industry") -> Q:
    """Rows whose industry lies within one of ``codes`` (an enterprise within a pillar industry)."""
    q = nothing()
    for code, level, _section in codes:
        q |= Q(**{f"{path}__section": code}) if level == Industry.Level.SECTION else Q(
            **{f"{path}__code__startswith": code})
    return q


def pillar_codes(pillar: Any) -> Codes:
    """The GB/T 4754 codes a pillar industry names (plain rows of the public catalogue)."""
    with unscoped("the public catalogue codes of a pillar industry the reader sees"):
        return list(pillar.industries.values_list("code", "level", "section"))


@dataclass
class PillarMap:
    """What the crosswalk maps onto one pillar industry: majors through their own entries (``own``) and
    whole 专业类 (``classes``: each major of the class that has no entries of its own — ``refined``, the
    same for every pillar of a version). ``majors`` is the resulting set of catalogue majors."""

    own: set[int] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    majors: set[int] = field(default_factory=set)
    refined: frozenset[int] = frozenset()

    def union(self, other: PillarMap) -> PillarMap:
        """What either reaches (a group's pillars together)."""
        return PillarMap(self.own | other.own, self.classes | other.classes, self.majors | other.majors,
                         self.refined | other.refined)

    def q(self, prefix: str = "") -> Q:
        """The rows (``prefix`` leads to the offering) whose major this pillar reaches — stated by class,
        not by listing every major, so the condition stays short."""
        q = nothing()
        if self.own:
            q |= Q(**{f"{prefix}major_id__in": sorted(self.own)})
        if self.classes:
            by_class = Q(**{f"{prefix}major__class_code__in": sorted(self.classes)})
            if self.refined:
                by_class &= ~Q(**{f"{prefix}major_id__in": sorted(self.refined)})
            q |= by_class
        return q


def pillar_mapping(codes: dict[int, Codes], version: CrosswalkVersion | None) -> dict[int, PillarMap]:
    """Per key of ``codes`` (a pillar industry's codes): what the crosswalk ``version`` maps onto an
    industry overlapping them (``PillarMap``). Computed from the version's entries and the catalogue (two
    queries, whatever the number of pillars): the one definition the filters, the rules and the sums share."""
    from chanjiao.catalog.models import Major

    if version is None or not any(codes.values()):
        return {key: PillarMap() for key in codes}
    with unscoped("the public crosswalk and catalogue"):
        entries = list(CrosswalkEntry._base_manager.filter(version_id=version.pk)
                       .values_list("major_id", "class_code", "industry__code", "industry__level",
                                    "industry__section"))
        by_class: dict[str, list[int]] = {}
        for major_id, class_code in Major._base_manager.values_list("pk", "class_code"):
            by_class.setdefault(class_code, []).append(major_id)
    refined = frozenset(major_id for major_id, *_rest in entries if major_id is not None)
    # Entries indexed by what a pillar's code looks up (``overlaps`` for all pillars at once): by 门类, by
    # each prefix of their code (within the pillar's code), by their exact code (an ancestor of it).
    by_section: dict[str, set[int]] = {}
    by_prefix: dict[str, set[int]] = {}
    by_code: dict[str, set[int]] = {}
    sections: dict[str, set[int]] = {}  # entries naming a 门类 itself
    for i, (_m, _c, code, level, section) in enumerate(entries):
        by_section.setdefault(section, set()).add(i)
        by_code.setdefault(code, set()).add(i)
        if level == Industry.Level.SECTION:
            sections.setdefault(code, set()).add(i)
        else:
            for n in range(2, len(code) + 1):
                by_prefix.setdefault(code[:n], set()).add(i)
    result: dict[int, PillarMap] = {}
    for key, pillar in codes.items():
        found: set[int] = set()
        for c, c_level, c_section in pillar:
            if c_level == Industry.Level.SECTION:
                found |= by_section.get(c, set())
                continue
            found |= by_prefix.get(c, set()) | sections.get(c_section, set())
            for n in range(2, len(c)):
                found |= by_code.get(c[:n], set())
        mapped = result[key] = PillarMap(refined=refined)
        for i in found:
            major_id, class_code = entries[i][0], entries[i][1]
            if major_id is not None:
                mapped.own.add(major_id)
            else:
                mapped.classes.add(class_code)
        mapped.majors = mapped.own | {m for c in mapped.classes for m in by_class.get(c, ()) if m not in refined}
    return result


def offerings_q(codes: Codes, version: CrosswalkVersion | None, prefix: str = "") -> Q:
    """Offerings (``prefix`` leads from a related row, e.g. ``"offering__"``) whose major the crosswalk
    ``version`` maps onto an industry overlapping ``codes``."""
    return pillar_mapping({0: codes}, version)[0].q(prefix)


def demand_q(codes: Codes, version: CrosswalkVersion | None) -> Q:
    """Declared demand of a pillar: the enterprise lies within it; an enterprise without an industry
    counts by the 专业类 it asks for, through the crosswalk."""
    return _firm_or_class_q(codes, version)


def postings_q(codes: Codes, version: CrosswalkVersion | None) -> Q:
    """Job postings of a pillar, each post once (not its re-listings): the advertising enterprise lies within
    the pillar; a posting without a registered enterprise, or of one without an industry, counts by the
    专业类 it was classified to, through the crosswalk."""
    q = _firm_or_class_q(codes, version)
    return q & Q(duplicate_of__isnull=True) if codes else q


def _firm_or_class_q(codes: Codes, version: CrosswalkVersion | None) -> Q:
    """Rows of an enterprise within the pillar's industries, or — the enterprise's industry unknown — rows whose
    ``class_code`` the crosswalk maps onto the pillar (declared demand and postings alike)."""
    if not codes:
        return nothing()
    q = industry_within_q(codes, "enterprise__industry")
    classes = pillar_mapping({0: codes}, version)[0].classes
    if classes:
        q |= Q(enterprise__industry__isnull=True, class_code__in=sorted(classes))
    return q


def codes_of(pillars: list[Any]) -> dict[int, Codes]:
    """The GB/T 4754 codes of each pillar industry (one query)."""
    from chanjiao.orgs.models import PillarIndustry

    codes: dict[int, Codes] = {p.pk: [] for p in pillars}
    through = PillarIndustry.industries.through
    with unscoped("the public catalogue codes of pillar industries the reader sees"):
        for pillar_id, code, level, section in through._default_manager.filter(
                pillarindustry__in=[p.pk for p in pillars]).values_list(
                "pillarindustry_id", "industry__code", "industry__level", "industry__section"):
            codes[pillar_id].append((code, level, section))
    return codes


def load_default(path: Path = DEFAULT_FILE) -> tuple[CrosswalkVersion, int]:
    """Create the platform's default version from the shipped file (idempotent: an existing default is
    left as it is). Returns the version and the entries created."""
    from chanjiao.catalog.models import Occupation
    from chanjiao.core import audit

    with unscoped("loading the shipped crosswalk"):
        existing = CrosswalkVersion.objects.filter(number=DEFAULT_NUMBER).first()
        if existing is not None:
            return existing, 0
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        industries = dict(Industry.objects.values_list("code", "pk"))
        occupations = dict(Occupation.objects.values_list("code", "pk"))
        with transaction.atomic():
            # Published "from 2000": the platform's default answers for every year analysed, the years
            # before the 2021 catalogue included (their majors are recorded under 2021 codes).
            version = CrosswalkVersion(number=DEFAULT_NUMBER, title=DEFAULT_TITLE, published_on=DEFAULT_FROM,
                                       note="随平台发布的默认对照表，见 chanjiao/layout/data/SOURCE.md。")
            version.save()
            entries = [CrosswalkEntry(version=version, class_code=r["class_code"],
                                      industry_id=industries[r["industry_code"]],
                                      occupation_id=occupations.get(r["occupation_code"] or "") or None,
                                      reason=r["reason"][:200], source=r["source"][:300])
                       for r in rows if r["industry_code"] in industries]
            with audit.bulk_write("the shipped crosswalk"):
                created = CrosswalkEntry.objects.bulk_create(entries, batch_size=500)
            audit.record_bulk("create", created)
            version.set_status("publish", by=None)
    return version, len(entries)


def new_draft(source: CrosswalkVersion, *, title: str, region: Any) -> CrosswalkVersion:
    """A draft copy of ``source`` for ``region`` (the bureau then edits and publishes it)."""
    from django.db.models import Max

    from chanjiao.core import audit

    with transaction.atomic(), unscoped("copying a crosswalk version the user reads"):
        number = (CrosswalkVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = CrosswalkVersion(number=number, title=title, region=region, based_on=source,
                                 note=f"基于 v{source.number} 修订")
        draft.save()
        copies = [CrosswalkEntry(version=draft, class_code=e.class_code, major_id=e.major_id,
                                 industry_id=e.industry_id, occupation_id=e.occupation_id, reason=e.reason,
                                 source=e.source)
                  for e in CrosswalkEntry.objects.filter(version=source).order_by("pk")]
        with audit.bulk_write("a copy of a crosswalk version"):
            created = CrosswalkEntry.objects.bulk_create(copies, batch_size=500)
        audit.record_bulk("create", created)
    return draft
