"""The classifier against the hand-labelled sample (issue #11, Done when: precision ≥ 0.8 overall and ≥ 0.7
averaged over categories at 专业大类 level; every classification shows the words that decided it), and the
evaluation's arithmetic proved on a generated sample whose right answers are known."""

from __future__ import annotations

import random
from collections import Counter

from chanjiao.layout.classifier import Classifier, Entry
from chanjiao.layout.classifier_eval import evaluate, read_sample

# Every 专业大类 (高职专科 41–59) that occurs in ../shared/data/job_postings; 45 (水利) occurs once.
CATEGORIES_IN_THE_DATA = {f"{n}" for n in range(41, 60)}


def test_the_sample_is_large_and_spread_over_every_category() -> None:
    rows = read_sample()
    assert len(rows) >= 300
    assert len({(r["source"], r["source_ref"]) for r in rows}) == len(rows)
    counts = Counter(r["category"] for r in rows)
    assert set(counts) >= CATEGORIES_IN_THE_DATA | {"00"}
    assert all(n >= 5 for c, n in counts.items() if c != "45"), counts
    assert {r["source"] for r in rows} == {"BOSS直聘", "前程无忧"}
    for row in rows:
        assert row["class_code"] == "" or row["class_code"][:2] == row["category"]


def test_precision_on_the_labelled_sample() -> None:
    report = evaluate(Classifier(), read_sample())
    assert report.precision() >= 0.8
    assert report.macro_precision >= 0.7
    assert report.without_evidence == 0  # every classification names its words
    assert report.unclassified < report.rows / 2  # not bought by refusing to answer


def test_the_arithmetic_on_a_generated_sample() -> None:
    # One word per category; a row's title holds its category's word, another's, or nothing — so the
    # classifier's answer, and with it every count, is known without running the report's code.
    words = {f"{41 + k}": f"词{chr(0x4E00 + k * 7)}{chr(0x4E01 + k * 7)}" for k in range(6)}
    lexicon = {w: [Entry(f"{c}01", 3.0)] for c, w in words.items()}
    rng = random.Random(11)
    rows, right, wrong, missed = [], Counter(), Counter(), Counter()
    for n in range(400):
        label = rng.choice(sorted(words))
        kind = rng.random()
        if kind < 0.6:
            title, predicted = words[label], label
        elif kind < 0.85:
            predicted = rng.choice(sorted(set(words) - {label}))
            title = words[predicted]
        else:
            title, predicted = "无关的文字", ""
        rows.append({"title": title, "tags": "", "category_text": "", "description": "", "category": label,
                     "ref": str(n)})
        if predicted == label:
            right[label] += 1
        else:
            missed[label] += 1
            if predicted:
                wrong[predicted] += 1
    report = evaluate(Classifier(lexicon, threshold=0.5), rows)
    assert report.rows == 400
    assert report.precision() == sum(right.values()) / (sum(right.values()) + sum(wrong.values()))
    assert report.recall() == sum(right.values()) / 400
    for c in words:
        assert report.precision(c) == right[c] / (right[c] + wrong[c])
        assert report.recall(c) == right[c] / (right[c] + missed[c])
    assert abs(report.macro_precision - sum(right[c] / (right[c] + wrong[c]) for c in words) / 6) < 1e-12
    assert report.unclassified == sum(missed.values()) - sum(wrong.values())
