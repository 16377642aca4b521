"""The transparent posting classifier (layout/classifier.py): words that decide, threshold, corrections."""

from __future__ import annotations

import csv

import pytest

from chanjiao.layout.classifier import LEXICON_PATH, Classifier, Entry, load_lexicon


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


@pytest.mark.parametrize(("title", "class_code", "word"), [
    ("财务实习生（可留用+班车+住宿）", "5303", "财务"),
    ("高级Java软件工程师", "5102", "java"),
    ("数控车工", "4601", "数控"),
    ("幼儿园老师", "5701", "幼儿"),
    ("酒店前厅接待", "5401", "酒店"),
    ("算法研究员（博士）", "00", "博士"),
])
def test_a_classification_names_the_words_that_decided_it(classifier: Classifier, title: str, class_code: str,
                                                          word: str) -> None:
    result = classifier.classify(title=title)
    assert result.class_code == class_code
    assert result.category_code == class_code[:2]
    assert word in result.decisive_words()
    # The score is the sum of the evidence: a reader can recompute it.
    assert result.scores[class_code] == pytest.approx(sum(e.weight for e in result.evidence), abs=0.05)


def test_the_title_weighs_more_than_the_description(classifier: Classifier) -> None:
    result = classifier.classify(title="会计", description="负责销售数据的整理")
    assert result.class_code == "5303"
    assert {e.field for e in result.evidence} == {"title"}


def test_below_the_threshold_a_posting_stays_unclassified() -> None:
    lexicon = {"会计": [Entry("5303", 2.0)], "销售": [Entry("5306", 2.0)]}
    mixed = {"title": "会计 销售"}
    assert Classifier(lexicon, threshold=0.5).classify(**mixed).class_code == ""  # 6 / (12 + 1) < 0.5
    loose = Classifier(lexicon, threshold=0.4).classify(**mixed)
    assert loose.class_code in {"5303", "5306"} and loose.confidence == pytest.approx(6 / 13, abs=0.001)
    unknown = Classifier(lexicon).classify(title="标书制作员")
    assert unknown.class_code == "" and unknown.evidence == () and unknown.confidence == 0


def test_corrections_are_used_for_postings_like_them() -> None:
    lexicon = {"销售": [Entry("5306", 1.0)]}
    before = Classifier(lexicon).classify(title="标书制作 销售支持")
    assert before.class_code == "5306"
    corrected = Classifier(lexicon, corrections=[("标书制作员", "4405"), ("工程标书制作", "4405")])
    after = corrected.classify(title="标书制作 销售支持")
    assert after.class_code == "4405"
    assert any(e.learnt and e.word == "标书" for e in after.evidence)
    assert corrected.version != Classifier(lexicon).version  # the figures say which classifier counted


def test_the_version_names_lexicon_corrections_and_threshold() -> None:
    base = Classifier()
    assert base.version == Classifier().version
    assert base.version != Classifier(threshold=0.6).version
    lexicon = load_lexicon()
    lexicon["标书"] = [Entry("4405", 2.0)]
    assert Classifier(lexicon).version != base.version


def test_the_lexicon_names_only_catalogue_classes() -> None:
    from chanjiao.catalog import apps

    majors = apps.__file__.replace("apps.py", "data/vocational_majors_2021/vocational_majors_2021.csv")
    with open(majors, encoding="utf-8") as handle:
        classes = {row["class_code"] for row in csv.DictReader(handle) if row["level"] == "VOCATIONAL_ASSOCIATE"}
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 400
    assert {row["class_code"] for row in rows} - classes == {"00"}
    categories = {row["class_code"][:2] for row in rows} - {"00"}
    assert categories == {c[:2] for c in classes}  # every 专业大类 can be reached
