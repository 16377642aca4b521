"""Job postings (issue #11): the importer validates every row and writes all or nothing, a second import
of the same file changes nothing, salaries become monthly ranges, places become regions, companies meet
their registered enterprise, a re-listed post points at its first listing, and a person's correction wins
over the classifier, survives a re-import and is learnt for the postings like it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from chanjiao.accounts.models import Membership
from chanjiao.core.models import AuditEvent
from chanjiao.layout import postings
from chanjiao.layout.imports import JobPostingImporter
from chanjiao.layout.models import JobPosting
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in JobPostingImporter.columns]


def _file(tmp_path: Path, rows: list[dict[str, Any]], name: str = "postings.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(ref: str, **values: Any) -> dict[str, Any]:
    row = {"来源": "市人才网", "来源编号": ref, "岗位名称": "数控车工", "招聘单位": "宜昌精工机械有限公司",
           "工作地点": "宜昌-夷陵区", "技能标签": "数控编程, 车床", "学历要求": "中专/中技", "薪资": "5-8K",
           "发布年度": "2020", "发布日期": "2020-04-20"}
    row.update(values)
    return row


@pytest.fixture
def bureau() -> Any:
    user = f.UserFactory(username="posting_bureau")
    Membership.objects.create(user=user, role="bureau_admin")
    return user


@pytest.fixture
def places() -> None:
    city = f.RegionFactory(code="4205", name="宜昌市", level=2)
    f.RegionFactory(code="420506", name="夷陵区", level=3, parent=city)
    f.RegionFactory(code="420503", name="伍家岗区", level=3, parent=city)


def _commit(user: Any, path: Path) -> Any:
    return JobPostingImporter(user).commit(path, path.name)


def test_a_file_with_malformed_rows_reports_every_error_and_writes_nothing(tmp_path: Path, bureau: Any,
                                                                           places: None) -> None:
    rows = [_row("1"), _row("2", 薪资="8-4千/月"), _row("3", 岗位名称=""), _row("4", 发布年度="20x0"),
            _row("5", 学历要求="小学毕业"), _row("6", 发布日期="2019-12-31"), _row("1", 岗位名称="焊工"), _row("7")]
    events = AuditEvent.objects.count()
    result = _commit(bureau, _file(tmp_path, rows))
    assert not result.committed
    found = {(e.row, e.column) for e in result.errors}
    assert found >= {(3, "薪资"), (4, "岗位名称"), (5, "发布年度"), (6, "学历要求"), (7, "发布日期"), (8, "来源")}
    assert all(e.row not in (2, 9) for e in result.errors)
    messages = " ".join(e.reason for e in result.errors)
    assert "无法识别的薪资格式" in messages and "学历要求" in messages and "与第 2 行重复" in messages
    assert JobPosting.objects.count() == 0
    assert AuditEvent.objects.count() == events + 1  # the refused import's own event, no row's


def test_the_same_file_twice_changes_nothing(tmp_path: Path, bureau: Any, places: None) -> None:
    path = _file(tmp_path, [_row("1"), _row("2", 岗位名称="电商运营专员", 薪资="4-6千/月", 技能标签="淘宝, 直通车"),
                            _row("3", 岗位名称="护士", 薪资="150元/天", 工作地点="湖北省宜昌市伍家岗区")])
    first = _commit(bureau, path)
    assert first.committed and first.created == 3
    state = list(JobPosting.objects.order_by("id").values())
    events = AuditEvent.objects.exclude(action__in=("import", "login")).count()
    second = _commit(bureau, path)
    assert second.committed and (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert list(JobPosting.objects.order_by("id").values()) == state
    assert AuditEvent.objects.exclude(action__in=("import", "login")).count() == events


def test_derived_fields_salary_region_class_and_the_words(tmp_path: Path, bureau: Any, places: None) -> None:
    _commit(bureau, _file(tmp_path, [_row("1", 薪资="15-25K·14薪"), _row("2", 岗位名称="护士", 技能标签="",
                                                                      薪资="150元/天", 工作地点="420503")]))
    lathe, nurse = JobPosting.objects.order_by("source_ref")
    assert (lathe.salary_min, lathe.salary_max, lathe.salary_months) == (15_000, 25_000, 14)
    assert (nurse.salary_min, nurse.salary_max) == (round(150 * 21.75), round(150 * 21.75))
    assert lathe.region.code == "420506" and nurse.region.code == "420503"
    assert lathe.education == "secondary"
    assert lathe.category_code == "46" and nurse.category_code == "52"
    for posting in (lathe, nurse):
        assert posting.classified_by == "classifier" and posting.classifier_version.startswith("kw1-")
        assert posting.evidence and posting.evidence[0]["field"] == "title"
        assert sum(e["weight"] for e in posting.evidence) > 0


def test_companies_meet_their_enterprise_and_relistings_point_at_the_first(tmp_path: Path, bureau: Any,
                                                                           places: None) -> None:
    by_code = f.EnterpriseFactory(name="宜昌安琪酵母股份有限公司")
    by_name = f.EnterpriseFactory(name="湖北宜昌精工机械有限公司")
    rows = [_row("1", 招聘单位="安琪酵母（宜昌）", 单位统一社会信用代码=by_code.uscc),
            _row("2", 招聘单位="宜昌精工机械有限公司"),
            _row("3", 招聘单位="宜昌 精工机械 有限公司", 发布日期="2020-05-02"),  # the same post again
            _row("4", 招聘单位="无名小店")]
    _commit(bureau, _file(tmp_path, rows))
    got = {p.source_ref: p for p in JobPosting.objects.all()}
    assert got["1"].enterprise_id == by_code.pk
    assert got["2"].enterprise_id == by_name.pk == got["3"].enterprise_id
    assert got["4"].enterprise_id is None
    assert got["3"].duplicate_of_id == got["2"].pk and got["2"].duplicate_of_id is None
    assert got["1"].duplicate_of_id is None and got["4"].duplicate_of_id is None


def test_a_correction_wins_survives_a_reimport_and_is_learnt(tmp_path: Path, bureau: Any, places: None) -> None:
    path = _file(tmp_path, [_row("1", 岗位名称="星级管家", 技能标签="")])
    _commit(bureau, path)
    posting = JobPosting.objects.get()
    before = posting.class_code
    version = postings.current_classifier().version
    posting.corrected_class_code = "5401"
    posting.save()
    posting.refresh_from_db()
    assert (posting.class_code, posting.category_code, posting.classified_by) == ("5401", "54", "person")
    assert before != "5401"
    assert _commit(bureau, path).unchanged == 1
    assert JobPosting.objects.get().class_code == "5401"
    learnt = postings.current_classifier()
    assert learnt.version != version and "-c1-" in learnt.version
    assert postings.classify(learnt, {"title": "星级管家助理"}).class_code == "5401"
    assert any(e.learnt for e in postings.classify(learnt, {"title": "星级管家助理"}).evidence)


def test_a_correction_must_name_a_catalogue_class(bureau: Any) -> None:
    from django.core.exceptions import ValidationError

    f.MajorFactory(class_code="5101")
    posting = JobPosting(source="市人才网", source_ref="9", title="软件测试", company_name="某公司", year=2020,
                         corrected_class_code="9999")
    with pytest.raises(ValidationError) as caught:
        posting.full_clean()
    assert "corrected_class_code" in caught.value.message_dict
    posting.corrected_class_code = "00"
    posting.full_clean()
