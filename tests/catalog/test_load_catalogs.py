from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.catalog.services import DEFAULT_DATA_DIR, MAJORS_FILE, level_counts
from chanjiao.core.models import AuditEvent

MODELS = (Major, Industry, Occupation, Region)


def _state() -> dict:
    """Row counts, the newest updated_at per table and the audit event count."""
    return {
        "rows": {m.__name__: m.objects.count() for m in MODELS},
        "updated": {m.__name__: m.objects.aggregate(x=Max("updated_at"))["x"] for m in MODELS},
        "audit": AuditEvent.objects.count(),
    }


def test_majors_per_level_match_the_2021_catalog():
    assert level_counts(Major) == {"secondary": 358, "associate": 744, "bachelor": 247}
    major = Major.objects.get(code="520101K")
    assert major.name == "临床医学" and major.state_controlled
    assert Major.objects.filter(state_controlled=True).count() == 47
    assert not Major.objects.filter(code="710201", state_controlled=True).exists()
    assert Major.objects.get(code="710201").initials == "jsjyy"


def test_industries_per_level_with_derived_groups():
    assert level_counts(Industry) == {1: 20, 2: 97, 3: 473, 4: 1381}
    # The single-小类 中类 have no row in the standard; they are derived from their 小类.
    assert Industry.objects.filter(level=3, derived=True).count() == 199
    group = Industry.objects.get(code="022")
    assert group.derived and group.name == "造林和更新" and group.parent.code == "02"
    assert Industry.objects.get(code="0220").parent == group
    # 3741 飞机制造 sits under 374 (the upstream file had it as a duplicate 中类 row, corrected in the copy).
    assert Industry.objects.get(code="3741").parent.name == "航空、航天器及设备制造"
    assert Industry.objects.get(code="A").edition == "GB/T 4754-2017"
    assert not Industry.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert Industry.objects.get(code="6513").section == "I"


def test_occupations_and_parents():
    assert level_counts(Occupation) == {1: 8, 2: 79, 3: 450, 4: 1639}
    ai_trainer = Occupation.objects.get(code="4-04-05-05")
    assert ai_trainer.name == "人工智能训练师"
    assert ai_trainer.parent.code == "4-04-05" and ai_trainer.parent.parent.code == "4-04"
    assert not Occupation.objects.filter(level__gt=1, parent__isnull=True).exists()


YICHANG_COUNTIES = {
    "420502": "西陵区", "420503": "伍家岗区", "420504": "点军区", "420505": "猇亭区", "420506": "夷陵区",
    "420525": "远安县", "420526": "兴山县", "420527": "秭归县", "420528": "长阳土家族自治县",
    "420529": "五峰土家族自治县", "420581": "宜都市", "420582": "当阳市", "420583": "枝江市",
}


def test_all_county_level_units_of_yichang():
    yichang = Region.objects.get(code="4205")
    assert yichang.name == "宜昌市" and yichang.parent.name == "湖北省"
    counties = dict(Region.objects.filter(parent=yichang).values_list("code", "name"))
    assert counties == YICHANG_COUNTIES
    assert set(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="4205")
               .values_list("code", flat=True)) == set(YICHANG_COUNTIES)
    assert level_counts(Region)[Region.Level.PROVINCE] == 31
    assert Region.objects.get(code="420502").edition == "2023"


def test_loading_twice_changes_nothing():
    before = _state()
    call_command("load_catalogs", verbosity=0)
    assert _state() == before


def test_load_is_audited_with_the_command_as_source():
    events = AuditEvent.objects.filter(object_type="catalog.major", action="create")
    assert events.count() == Major.objects.count()
    assert set(events.values_list("source", flat=True)) == {"command:load_catalogs"}


def test_a_changed_name_is_updated_and_audited(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    path = data / MAJORS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace(",710201,计算机应用,", ",710201,计算机应用（测试）,"),
                    encoding="utf-8")
    major = Major.objects.get(code="710201")
    call_command("load_catalogs", data_dir=data, verbosity=0)
    major.refresh_from_db()
    assert major.name == "计算机应用（测试）" and major.initials == "jsjyycs"
    event = AuditEvent.objects.get(object_type="catalog.major", object_id=str(major.pk), action="update")
    assert event.changes["name"] == ["计算机应用", "计算机应用（测试）"]


def _break(tmp_path: Path, rel: str, line_no: int, new_line: str) -> Path:
    """A copy of the data directory whose file ``rel`` has ``new_line`` inserted as line ``line_no``."""
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    path = data / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line_no - 1, new_line + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return data


MALFORMED = [
    pytest.param("vocational_majors_2021/vocational_majors_2021.csv", 3,
                 "VOCATIONAL_SECONDARY,中等职业教育,61,农林牧渔大类,6101,农业类,610199",
                 "列数应为 9，实际为 7", id="wrong-column-count"),
    pytest.param("industry_gbt4754_2017/gbt4754_2017.csv", 5,
                 "0199,4,小类,A,01,019,0199,不存在的中类下的小类,", "中类 019 缺失", id="missing-parent-group"),
    pytest.param("occupations_2022/occupations_2022.csv", 4,
                 "9-99-99,3,小类,无上级的小类,9-99,9,9-99,9-99-99,", "上级代码 9-99 不存在", id="unknown-parent"),
    pytest.param("admin_divisions/areas.csv", 2, '429901,"不存在的区",4299,42', "上级代码 4299 不存在",
                 id="unknown-region-parent"),
    pytest.param("admin_divisions/areas.csv", 6, '420502,"西陵区",4205,42', "代码 420502 重复",
                 id="duplicate-code"),
    pytest.param("vocational_majors_2021/vocational_majors_2021.csv", 2,
                 "VOCATIONAL_SECONDARY,中等职业教育,41,农林牧渔大类,4101,农业类,410101,作物生产技术,",
                 "不符合中等职业教育的编码", id="level-inconsistent-code"),
]


@pytest.mark.parametrize(("rel", "line_no", "bad_line", "reason"), MALFORMED)
def test_a_malformed_file_is_refused_and_nothing_changes(tmp_path, rel, line_no, bad_line, reason):
    data = _break(tmp_path, rel, line_no, bad_line)
    before = _state()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalogs", data_dir=data, verbosity=0)
    message = str(excinfo.value)
    assert "未写入任何数据" in message
    assert any(rel in line and f"第 {line_no} 行" in line and reason in line for line in message.splitlines()), message
    assert _state() == before


def test_errors_in_several_files_are_all_reported(tmp_path: Path):
    data = _break(tmp_path, "admin_divisions/areas.csv", 2, '42059,"短代码",4205,42')
    path = data / "occupations_2022" / "occupations_2022.csv"
    path.write_text(path.read_text(encoding="utf-8") + "4-04-05-05,4,细类,重复,4-04-05,4,4-04,4-04-05,\n",
                    encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalogs", data_dir=data, verbosity=0)
    message = str(excinfo.value)
    assert "admin_divisions/areas.csv 第 2 行：县级代码“42059”应为 6 位数字" in message
    assert "occupations_2022/occupations_2022.csv 第 2178 行：代码 4-04-05-05 重复" in message
