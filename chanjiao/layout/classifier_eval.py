"""Precision, recall and confusion of the posting classifier at 专业大类 level against a hand-labelled
sample (``tests/layout/data/labelled_postings.csv``: the sample, how it was drawn and labelled, is described
in docs/postings.md). An unclassified posting counts against recall, never against precision.

``python -m chanjiao.layout.classifier_eval`` prints the report that docs/postings.md quotes.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chanjiao.layout.classifier import Classification, Classifier

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "layout" / "data" / "labelled_postings.csv"


@dataclass
class Report:
    rows: int = 0
    unclassified: int = 0
    right: Counter[str] = field(default_factory=Counter)  # by label
    wrong: Counter[str] = field(default_factory=Counter)  # by predicted category
    missed: Counter[str] = field(default_factory=Counter)  # by label (wrong or unclassified)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, predicted)
    without_evidence: int = 0

    @property
    def categories(self) -> list[str]:
        return sorted(set(self.right) | set(self.missed) | set(self.wrong))

    def precision(self, category: str | None = None) -> float | None:
        right = sum(self.right.values()) if category is None else self.right[category]
        wrong = sum(self.wrong.values()) if category is None else self.wrong[category]
        return right / (right + wrong) if right + wrong else None

    def recall(self, category: str | None = None) -> float | None:
        right = sum(self.right.values()) if category is None else self.right[category]
        missed = sum(self.missed.values()) if category is None else self.missed[category]
        return right / (right + missed) if right + missed else None

    @property
    def macro_precision(self) -> float:
        """Averaged over the categories the classifier predicted at least once."""
        values = [p for c in self.categories if (p := self.precision(c)) is not None]
        return sum(values) / len(values) if values else 0.0

    def table(self) -> str:
        lines = ["| 专业大类 | 样本 | 判对 | 误判为此类 | 精确率 | 召回率 |", "|---|---:|---:|---:|---:|---:|"]
        for c in self.categories:
            p, r = self.precision(c), self.recall(c)
            lines.append(f"| {c} | {self.right[c] + self.missed[c]} | {self.right[c]} | {self.wrong[c]} | "
                         f"{'—' if p is None else f'{p:.2f}'} | {'—' if r is None else f'{r:.2f}'} |")
        return "\n".join(lines)


def read_sample(path: Path = SAMPLE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def classify_row(classifier: Classifier, row: Mapping[str, str]) -> Classification:
    return classifier.classify(title=row.get("title", ""), tags=row.get("tags", ""),
                               category_text=row.get("category_text", ""), description=row.get("description", ""))


def evaluate(classifier: Classifier, rows: Iterable[Mapping[str, str]]) -> Report:
    report = Report()
    for row in rows:
        report.rows += 1
        label = row["category"]
        result = classify_row(classifier, row)
        if result.classified and not result.evidence:
            report.without_evidence += 1
        predicted = result.category_code
        if not predicted:
            report.unclassified += 1
            report.missed[label] += 1
        elif predicted == label:
            report.right[label] += 1
        else:
            report.wrong[predicted] += 1
            report.missed[label] += 1
            report.confusion[(label, predicted)] += 1
    return report


def main() -> None:
    classifier = Classifier()
    report = evaluate(classifier, read_sample())
    overall_p, overall_r = report.precision(), report.recall()
    print(f"classifier {classifier.version}: {report.rows} postings, {report.unclassified} unclassified")
    print(f"precision {overall_p:.3f}, macro precision {report.macro_precision:.3f}, recall {overall_r:.3f}")
    print(report.table())
    print("confusion (label → predicted, ≥ 2):",
          ", ".join(f"{a}→{b} {n}" for (a, b), n in report.confusion.most_common() if n >= 2))


if __name__ == "__main__":
    main()
    sys.exit(0)
