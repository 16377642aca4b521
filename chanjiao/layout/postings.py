"""What is computed from a job advert (issue #11): its monthly salary range, its re-listing fingerprint,
the registered enterprise it comes from, the region named by its place text, and its classification —
the same for a row saved by a form (``JobPosting.save``) and a row written by the importer (``derived``),
so that an import and a form never disagree about a posting.

A person's correction (``corrected_class_code``) wins over the classifier; the classifier in use learns
from all corrections (``current_classifier``) and its version names how many it learnt from.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from chanjiao.layout.classifier import NON_VOCATIONAL, Classification, Classifier
from chanjiao.layout.postings_text import (
    company_name_core,
    normalise_company_name,
    parse_salary,
    posting_fingerprint,
    salary_error,
)

# 学历要求 as the boards write it → EducationAsked (first match wins: "本科及以上" is 本科).
EDUCATION_WORDS: tuple[tuple[str, str], ...] = (
    ("博士", "postgraduate"), ("硕士", "postgraduate"), ("研究生", "postgraduate"), ("本科", "bachelor"),
    ("学士", "bachelor"), ("大专", "associate"), ("专科", "associate"), ("高职", "associate"),
    ("中专", "secondary"), ("中技", "secondary"), ("中职", "secondary"), ("技校", "secondary"),
    ("高中", "secondary"), ("职高", "secondary"), ("初中", "any"), ("不限", "any"), ("无要求", "any"),
)


def parse_education(value: Any) -> str:
    """A board's 学历要求 text ("大专", "本科及以上", "中专/中技") → an ``EducationAsked`` value."""
    from chanjiao.layout.models import EducationAsked

    text = str(value or "").strip()
    if not text:
        return EducationAsked.ANY
    labels = {str(label): code for code, label in EducationAsked.choices}
    if text in labels or text in EducationAsked.values:
        return labels.get(text, text)
    for word, code in EDUCATION_WORDS:
        if word in text:
            return code
    raise ValueError(_("无法识别的学历要求：%(v)s（可填：不限、中专、高中、大专、本科、硕士、博士）") % {"v": text})


def class_code_error(code: str) -> str | None:
    """A person's 专业类 must be a 2021-catalogue class (four digits) or 00 (no vocational major)."""
    if not code or code == NON_VOCATIONAL:
        return None
    from chanjiao.catalog.models import Major

    if len(code) != 4 or not code.isdigit() or not Major._base_manager.filter(class_code=code).exists():
        return _("专业类代码“%(c)s”不在《职业教育专业目录（2021年）》中；请填写四位专业类代码，或 00 表示不需要"
                 "职业教育专业。") % {"c": code}
    return None


def row_errors(salary_text: str, corrected_class_code: str) -> dict[str, str]:
    """The checks of one posting that its fields alone decide, by field name."""
    errors = {}
    if message := salary_error(salary_text or ""):
        errors["salary_text"] = message
    if message := class_code_error(corrected_class_code or ""):
        errors["corrected_class_code"] = message
    return errors


# -- the classifier in use --------------------------------------------------------------------------------

_lock = threading.Lock()
_current: tuple[tuple[Any, ...], Classifier] | None = None


def threshold() -> float:
    """The confidence below which a posting stays unclassified (setting ``POSTING_CLASSIFIER_THRESHOLD``)."""
    return float(getattr(settings, "POSTING_CLASSIFIER_THRESHOLD", 0.45))


def current_classifier() -> Classifier:
    """The lexicon plus every correction people made, rebuilt only when the corrections change."""
    global _current
    from django.db.models import Count, Max

    from chanjiao.layout.models import JobPosting

    corrected = JobPosting._base_manager.exclude(corrected_class_code="")
    state = (*corrected.aggregate(n=Count("id"), last=Max("updated_at")).values(), threshold())
    with _lock:
        if _current is None or _current[0] != state:
            corrections = list(corrected.order_by("id").values_list("title", "corrected_class_code"))
            _current = (state, Classifier(_shared_lexicon(), corrections=corrections, threshold=threshold()))
        return _current[1]


_lexicon: dict[str, Any] | None = None


def _shared_lexicon() -> dict[str, Any]:
    global _lexicon
    if _lexicon is None:
        from chanjiao.layout.classifier import load_lexicon

        _lexicon = load_lexicon()
    return _lexicon


def classify(classifier: Classifier, values: Mapping[str, Any]) -> Classification:
    return classifier.classify(title=values.get("title") or "", tags=values.get("tags") or "",
                               category_text=values.get("category_text") or "",
                               industry_text=values.get("industry_text") or "",
                               description=values.get("description") or "")


# -- lookups built once per import ------------------------------------------------------------------------


class EnterpriseIndex:
    """Registered enterprises by USCC, by normalised name, and by the name's core when only one firm has it
    ("宜昌兴发化工有限公司" and "兴发化工" meet at "兴发化工")."""

    def __init__(self, rows: Iterable[tuple[int, str | None, str]]) -> None:
        self.by_uscc: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        cores: dict[str, set[int]] = {}
        for pk, uscc, name in rows:
            if uscc:
                self.by_uscc[uscc.upper()] = pk
            self.by_name.setdefault(normalise_company_name(name), pk)
            if core := company_name_core(name):
                cores.setdefault(core, set()).add(pk)
        self.by_core = {core: next(iter(pks)) for core, pks in cores.items() if len(pks) == 1}

    @classmethod
    def of(cls, q: Q | None = None) -> EnterpriseIndex:
        from chanjiao.orgs.models import Organisation

        rows = Organisation._base_manager.filter(kind="enterprise")
        if q is not None:
            rows = rows.filter(q)
        return cls(rows.order_by("pk").values_list("pk", "uscc", "name"))

    @classmethod
    def around(cls, uscc: str, name: str) -> EnterpriseIndex:
        """Only the candidates of one posting (a form's save): by USCC or by the name's core."""
        q = Q(uscc=uscc.upper()) if uscc else Q(pk__in=[])
        if core := company_name_core(name):
            q |= Q(name__contains=core)
        return cls.of(q)

    def match(self, uscc: str, name: str) -> int | None:
        if uscc and (pk := self.by_uscc.get(uscc.upper())):
            return pk
        return self.by_name.get(normalise_company_name(name)) or self.by_core.get(company_name_core(name))


class RegionIndex:
    """Place texts → regions: "上海", "宜昌市", "上海-奉贤区", "湖北省宜昌市夷陵区"; a county name only within
    its city (朝阳区 is in both Beijing and Changchun)."""

    def __init__(self, rows: Iterable[tuple[int, str, str, int, int | None]]) -> None:
        self.tops: dict[str, int] = {}  # provinces and cities by name and short name
        self.by_code: dict[str, int] = {}
        self.children: dict[int, dict[str, int]] = {}
        self.parent: dict[int, int | None] = {}
        for pk, code, name, level, parent in rows:
            self.by_code[code] = pk
            if level in (1, 2):
                self.tops.setdefault(name, pk)
                self.tops.setdefault(_short(name), pk)
            self.parent[pk] = parent
            # A county also under its province: "上海-奉贤区" skips the 市辖区 level between them.
            for above in (parent, self.parent.get(parent) if parent is not None else None):
                if above is not None:
                    under = self.children.setdefault(above, {})
                    under.setdefault(name, pk)
                    under.setdefault(_short(name), pk)

    @classmethod
    def of_catalogue(cls) -> RegionIndex:
        from chanjiao.catalog.models import Region

        return cls(Region._base_manager.filter(level__lte=3).order_by("level", "code")
                   .values_list("pk", "code", "name", "level", "parent_id"))

    def match(self, place: str) -> int | None:
        text = (place or "").strip()
        if text.isdigit():  # a 行政区划 code: 420506 or its short form 4205
            return self.by_code.get(text) or self.by_code.get(text.rstrip("0")) or None
        text = _SPLIT_AFTER.sub(r"\1-", text)
        found: int | None = None
        for part in (p.strip() for p in _SEPARATORS.split(text)):
            if not part:
                continue
            under = self.children.get(found, {}) if found is not None else {}
            step = under.get(part) or under.get(_short(part))
            if step is None and found is None:
                step = self.tops.get(part) or self.tops.get(_short(part))
            if step is None:
                break  # a street, a business park: the region found so far is the answer
            found = step
        return found


_SPLIT_AFTER = re.compile(r"(?<=..)(省|市|自治区|自治州)(?=.)")
_SEPARATORS = re.compile(r"[-·/\s,，、]+")


def _short(name: str) -> str:
    for suffix in ("特别行政区", "自治州", "地区", "省", "市", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class OccupationIndex:
    def __init__(self) -> None:
        from chanjiao.catalog.models import Occupation

        self.by_code = dict(Occupation._base_manager.values_list("code", "pk"))


# -- the derived fields ---------------------------------------------------------------------------------------


class Deriver:
    """Computes a posting's derived fields (by attname), with the lookups it needs built once."""

    def __init__(self, *, enterprises: EnterpriseIndex | None = None, regions: RegionIndex | None = None,
                 classifier: Classifier | None = None) -> None:
        self.enterprises = enterprises
        self.regions = regions
        self.classifier = classifier or current_classifier()
        self.occupations = OccupationIndex().by_code

    def __call__(self, values: Mapping[str, Any], *, reclassify: bool = True) -> dict[str, Any]:
        """The derived fields; without ``reclassify`` the stored classification is kept (its text and
        correction did not change, so an untouched save does not move it to a newer classifier)."""
        out: dict[str, Any] = {}
        salary = parse_salary(values.get("salary_text") or "")
        out["salary_min"] = salary.min_monthly if salary else None
        out["salary_max"] = salary.max_monthly if salary else None
        out["salary_months"] = salary.months if salary else 12
        place = values.get("place_text") or ""
        out["region_id"] = (self.regions or RegionIndex.of_catalogue()).match(place) if place else None
        out["fingerprint"] = posting_fingerprint(values.get("company_name") or "", values.get("title") or "", place)
        if not values.get("enterprise_id"):
            uscc, name = values.get("company_uscc") or "", values.get("company_name") or ""
            index = self.enterprises or EnterpriseIndex.around(uscc, name)
            out["enterprise_id"] = index.match(uscc, name)
        if not reclassify:
            return out
        result = classify(self.classifier, values)
        out["evidence"] = [{"word": e.word, "field": e.field, "weight": round(e.weight, 2),
                            **({"learnt": True} if e.learnt else {})} for e in result.evidence]
        out["confidence"] = Decimal(str(result.confidence)).quantize(Decimal("0.001")) if result.evidence else None
        out["classifier_version"] = self.classifier.version
        corrected = values.get("corrected_class_code") or ""
        code = corrected or result.class_code
        out["class_code"] = code
        out["category_code"] = code[:2]
        out["classified_by"] = "person" if corrected else ("classifier" if code else "unclassified")
        occupation = result.occupation_code if code == result.class_code else ""
        out["occupation_id"] = self.occupations.get(occupation) if occupation else None
        return out


# The fields the classification reads: when none of them changed, a save keeps the stored classification.
CLASSIFIED_FROM = ("title", "tags", "category_text", "industry_text", "description", "corrected_class_code")


def derive(values: Mapping[str, Any], stored: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One posting's derived fields (a form's save); ``stored``: the row as saved before, if any."""
    reclassify = stored is None or any((stored.get(f) or "") != (values.get(f) or "") for f in CLASSIFIED_FROM)
    return Deriver()(values, reclassify=reclassify)


def link_relistings(fingerprints: Iterable[str]) -> int:
    """Point every re-listing at the first posting (lowest id) with its fingerprint; the first points at
    nothing. Returns the number of postings whose link changed.

    A derived column: no audit event of its own (the posting's import or save carries one)."""
    from django.db.models import Min

    from chanjiao.layout.models import JobPosting

    wanted = sorted(set(fingerprints))
    changed = 0
    manager = JobPosting._base_manager
    for start in range(0, len(wanted), 5_000):
        chunk = wanted[start:start + 5_000]
        firsts = dict(manager.filter(fingerprint__in=chunk).values("fingerprint").annotate(first=Min("id"))
                      .values_list("fingerprint", "first"))
        rows = manager.filter(fingerprint__in=chunk).only("id", "fingerprint", "duplicate_of_id")
        stale = []
        for row in rows.iterator(chunk_size=5_000):
            link = None if firsts[row.fingerprint] == row.id else firsts[row.fingerprint]
            if row.duplicate_of_id != link:
                row.duplicate_of_id = link
                stale.append(row)
        manager.bulk_update(stale, ["duplicate_of"], batch_size=1_000)
        changed += len(stale)
    return changed



def explanation(posting: Any) -> dict[str, Any]:
    """What the detail page shows of a posting's classification: the class and its name, how it was
    decided, and each deciding word with the field it came from and its weight."""
    from chanjiao.catalog.models import Major
    from chanjiao.layout.models import JobPosting

    labels = {name: str(getattr(JobPosting._meta.get_field(name), "verbose_name", name))
              for name in ("title", "tags", "category_text", "industry_text", "description")}
    code = posting.class_code
    name = ""
    if code == NON_VOCATIONAL:
        name = _("不需要职业教育专业")
    elif code:
        name = (Major._base_manager.filter(class_code=code).values_list("class_name", flat=True).first() or "")
    words = [{"word": e.get("word", ""), "field": labels.get(e.get("field", ""), e.get("field", "")),
              "weight": e.get("weight"), "learnt": bool(e.get("learnt"))} for e in posting.evidence or []]
    return {"code": code, "name": name, "words": words, "total": round(sum(w["weight"] or 0 for w in words), 2)}
