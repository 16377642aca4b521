"""The transparent classifier of job postings (issue #11): a posting → a 专业类 of the 2021 catalogue
(高职专科 codes; its first two digits are the 专业大类), or "00" (no vocational major needed: senior
research, executive posts), with a confidence and the words that decided it.

How it decides, so that anyone can check a result by hand:
- the posting's fields are segmented with jieba (search mode, so "软件工程师" also yields "软件");
- every word found in the lexicon (``data/posting_lexicon.csv``: word, 专业类, weight, occupation — written by
  hand, each weight a judgement) adds its weight × the field's weight (a title says more than a description)
  to its class; a word counts once per field;
- words learnt from people's corrections (``Classifier(corrections=…)``) add weight to the class a person
  chose, so a correction is used for the postings like it, not only kept on its own;
- the class with the highest score wins; confidence = its score / (all classes' scores + ``PRIOR``). Below
  ``threshold`` (or with no word at all) the posting stays unclassified.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jieba

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "posting_lexicon.csv"
NON_VOCATIONAL = "00"
FIELD_WEIGHTS: Mapping[str, float] = {"title": 3.0, "category_text": 2.0, "tags": 1.5, "industry_text": 0.5,
                                      "description": 0.5}
PRIOR = 1.0  # keeps one weak word from reaching full confidence
DEFAULT_THRESHOLD = 0.45
LEARNT_WEIGHT = 2.0  # a word's weight learnt from corrections, times its share of the corrections naming it
_CACHE_LIMIT = 200_000
_WORD = re.compile(r"[\w+#.]+")

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class Evidence:
    word: str
    field: str
    weight: float
    learnt: bool = False


@dataclass(frozen=True)
class Classification:
    class_code: str  # 4-digit 专业类, "00", or "" (unclassified)
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    occupation_code: str = ""
    runner_up: tuple[str, float] | None = None
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def category_code(self) -> str:
        return self.class_code[:2]

    @property
    def classified(self) -> bool:
        return bool(self.class_code)

    def decisive_words(self) -> list[str]:
        return [e.word for e in self.evidence]


@dataclass(frozen=True)
class Entry:
    class_code: str
    weight: float
    occupation_code: str = ""


def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, list[Entry]]:
    """word → its entries (a word may point at more than one class, with different weights)."""
    lexicon: dict[str, list[Entry]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            word = fold(row["keyword"])
            lexicon[word].append(Entry(row["class_code"], float(row["weight"]), row.get("occupation_code") or ""))
    return dict(lexicon)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


class Classifier:
    """One configured classifier: lexicon, learnt corrections and threshold; ``version`` names all three."""

    def __init__(self, lexicon: Mapping[str, list[Entry]] | None = None, *,
                 corrections: Iterable[tuple[str, str]] = (), threshold: float = DEFAULT_THRESHOLD) -> None:
        self.lexicon = dict(lexicon if lexicon is not None else load_lexicon())
        self.threshold = threshold
        self.corrections = list(corrections)  # (title, class code chosen by a person)
        self._cache: dict[tuple[str, ...], Classification] = {}

    @cached_property
    def tokenizer(self) -> jieba.Tokenizer:
        tokenizer = jieba.Tokenizer()
        for word in self.lexicon:
            if len(word) > 1 and not word.isascii():
                tokenizer.add_word(word, freq=2_000)  # a lexicon word is kept whole by the segmenter
        return tokenizer

    @cached_property
    def learnt(self) -> dict[str, dict[str, float]]:
        """word → {class: weight} from the corrections: each word of a corrected title, weighted by the
        share of the corrections containing it that chose that class."""
        by_word: dict[str, Counter[str]] = defaultdict(Counter)
        for title, class_code in self.corrections:
            for word in set(self.words(title)):
                if len(word) > 1:
                    by_word[word][class_code] += 1
        return {word: {code: LEARNT_WEIGHT * n / sum(counts.values()) for code, n in counts.items()}
                for word, counts in by_word.items()}

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256()
        for word in sorted(self.lexicon):
            for entry in self.lexicon[word]:
                digest.update(f"{word}|{entry.class_code}|{entry.weight}|{entry.occupation_code}\n".encode())
        return f"kw1-{digest.hexdigest()[:8]}-c{len(self.corrections)}-t{round(self.threshold * 100)}"

    def words(self, text: str) -> list[str]:
        folded = fold(text)
        if not folded:
            return []
        return [w for w in (t.strip() for t in self.tokenizer.cut_for_search(folded)) if w and _WORD.match(w)]

    def classify(self, **fields: str) -> Classification:
        """Classify one posting from its text fields (``title``, ``tags``, ``category_text``,
        ``industry_text``, ``description``; unknown names are ignored)."""
        key = tuple(fields.get(name, "") or "" for name in FIELD_WEIGHTS)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        result = self._classify(dict(zip(FIELD_WEIGHTS, key, strict=True)))
        if len(self._cache) < _CACHE_LIMIT:  # postings repeat their titles: segment each text once
            self._cache[key] = result
        return result

    def _classify(self, fields: Mapping[str, str]) -> Classification:
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[Evidence]] = defaultdict(list)
        occupations: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for name, text in fields.items():
            factor = FIELD_WEIGHTS[name]
            for word in dict.fromkeys(self.words(text)):  # once per field, in reading order
                for entry in self.lexicon.get(word, ()):
                    weight = entry.weight * factor
                    scores[entry.class_code] += weight
                    evidence[entry.class_code].append(Evidence(word, name, weight))
                    if entry.occupation_code:
                        occupations[entry.class_code][entry.occupation_code] += weight
                for class_code, learnt in self.learnt.get(word, {}).items():
                    weight = learnt * factor
                    scores[class_code] += weight
                    evidence[class_code].append(Evidence(word, name, weight, learnt=True))
        if not scores:
            return Classification("", 0.0)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best, best_score = ranked[0]
        confidence = best_score / (sum(scores.values()) + PRIOR)
        runner_up = (ranked[1][0], round(ranked[1][1], 2)) if len(ranked) > 1 else None
        words = tuple(sorted(evidence[best], key=lambda e: -e.weight)[:8])
        occupation = max(occupations[best].items(), key=lambda item: (item[1], item[0]))[0] if occupations[best] else ""
        rounded = {code: round(score, 2) for code, score in ranked[:5]}
        if confidence < self.threshold:
            return Classification("", round(confidence, 3), words, "", (best, round(best_score, 2)), rounded)
        return Classification(best, round(confidence, 3), words, occupation, runner_up, rounded)
