"""Rules (core/rules.py, orgs/rules.py): jurisdiction thresholds, findings, SQL scans, kept violations,
and every entry point (form, importer, service, workflow guard) reaching the one declaration."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chanjiao.catalog.models import Region
from chanjiao.core import rules
from chanjiao.core import ui as rules_ui
from chanjiao.core.rules import ParamResolver, RuleParameter, RuleViolation
from chanjiao.core.workflow import TransitionRefused
from chanjiao.orgs.models import (
    Committee,
    CommitteeMembership,
    Enterprise,
    IntegrationStatus,
    Organisation,
    OrgKind,
    PillarIndustry,
    Teacher,
    VocationalGroup,
)
from chanjiao.orgs.rules import years_before
from chanjiao.orgs.services import end_membership
from tests import factories
from tests.harness import ModelHarness, audit_events
from tests.layout.fit_cases import FIT_CASES

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
_numbers = itertools.count(1)


def region(code: str, name: str = "") -> Region:
    level = {2: Region.Level.PROVINCE, 4: Region.Level.CITY, 6: Region.Level.COUNTY}[len(code)]
    return factories.RegionFactory(code=code, name=name or f"地区{code}", level=level)


@pytest.fixture
def hubei() -> dict[str, Region]:
    return {c: region(c) for c in ("42", "4205", "420502", "420602", "13", "1301", "130102")}


def param(rule_id: str, name: str, code: str, value: Any, since: dt.date = dt.date(2020, 1, 1)) -> RuleParameter:
    row = RuleParameter(rule_id=rule_id, param=name, jurisdiction=code, value=value, effective_from=since,
                        source_note="测试依据")
    row.full_clean()
    row.save()
    return row


def young_enterprise(where: Region | None, years: int = 2, **fields: Any) -> Enterprise:
    return factories.EnterpriseFactory(region=where, established=years_before(TODAY, years) + dt.timedelta(days=1),
                                       uscc=factories.valid_uscc(8_000_000 + next(_numbers)), **fields)


PE08 = rules.rules["PE-08"]


# --- jurisdiction -----------------------------------------------------------------------------------------------


def test_chain_is_county_city_province_national() -> None:
    assert rules.jurisdiction_chain("420502") == ["420502", "4205", "42", ""]
    assert rules.jurisdiction_chain(None) == [""]


def test_most_specific_value_in_force_wins(hubei: dict[str, Region]) -> None:
    RuleParameter.objects.filter(rule_id="PE-08").delete()
    param("PE-08", "min_years", "", 1)
    param("PE-08", "min_years", "42", 3)
    city = param("PE-08", "min_years", "4205", 5)
    resolver = ParamResolver()
    assert resolver.values(PE08, "420502")["min_years"].value == 5  # the city beats the province
    assert resolver.values(PE08, "420502")["min_years"].parameter_id == city.pk
    assert resolver.values(PE08, "420602")["min_years"].value == 3  # another city of the province
    assert resolver.values(PE08, "130102")["min_years"].value == 1  # the national row beats the code default
    assert resolver.values(PE08, "")["min_years"].jurisdiction == ""


def test_effective_from_dates_the_value(hubei: dict[str, Region]) -> None:
    RuleParameter.objects.filter(rule_id="PE-08").delete()
    param("PE-08", "min_years", "42", 3, since=dt.date(2020, 1, 1))
    param("PE-08", "min_years", "42", 4, since=dt.date(2030, 1, 1))
    assert ParamResolver(dt.date(2029, 12, 31)).values(PE08, "420502")["min_years"].value == 3
    assert ParamResolver(dt.date(2030, 1, 1)).values(PE08, "420502")["min_years"].value == 4
    # Before any row: the declared national default.
    assert ParamResolver(dt.date(2019, 1, 1)).values(PE08, "420502")["min_years"].value == 0


def test_seeded_local_values_are_those_of_policy_rules() -> None:
    seeded = {(r.jurisdiction, r.value) for r in RuleParameter.objects.filter(rule_id="PE-08")}
    assert seeded == {("13", 3), ("41", 3), ("3201", 5)}


def test_bureau_edit_of_a_parameter_is_audited_and_versions_keep_old_results(
        hubei: dict[str, Region], login: Any, world: Any) -> None:
    client = login("bureau_admin")
    response = client.post("/rules/ruleparameter/add/", {
        "rule_id": "PE-08", "param": "min_years", "jurisdiction": "42", "value": "3",
        "effective_from": "2020-01-01", "source_note": "湖北省通知"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = RuleParameter.objects.get(jurisdiction="42")
    assert row.value == 3 and audit_events(row, "create", world.bureau_admin).exists()
    # A new value from a later date is a new row: results for earlier days still use the old one.
    response = client.post("/rules/ruleparameter/add/", {
        "rule_id": "PE-08", "param": "min_years", "jurisdiction": "42", "value": "4",
        "effective_from": "2030-01-01", "source_note": "湖北省新通知"})
    assert response.status_code == 302
    assert RuleParameter.objects.filter(jurisdiction="42").count() == 2
    assert ParamResolver(dt.date(2025, 1, 1)).values(PE08, "420502")["min_years"].value == 3
    # Editing a row in place is audited with its before/after values.
    response = client.post(f"/rules/ruleparameter/{row.pk}/edit/", {
        "rule_id": "PE-08", "param": "min_years", "jurisdiction": "42", "value": "2",
        "effective_from": "2020-01-01", "source_note": "湖北省通知（更正）"})
    assert response.status_code == 302
    event = audit_events(row, "update", world.bureau_admin).get()
    assert event.changes["value"] == [3, 2]


def test_parameter_form_refuses_bad_values_and_writes_nothing(hubei: dict[str, Region], login: Any) -> None:
    client = login("bureau_admin")
    before = RuleParameter.objects.count()
    for data, field in [({"value": "-1"}, "value"), ({"value": "三"}, "value"),
                        ({"jurisdiction": "42050"}, "jurisdiction"), ({"jurisdiction": "99"}, "jurisdiction"),
                        ({"param": "enforced"}, "param")]:
        post = {"rule_id": "PE-08", "param": "min_years", "jurisdiction": "42", "value": "3",
                "effective_from": "2020-01-01", "source_note": "x", **data}
        response = client.post("/rules/ruleparameter/add/", post)
        assert response.status_code == 400, data
        assert response.context["form"].errors.get(field), (data, response.context["form"].errors)
    assert RuleParameter.objects.count() == before


def test_only_bureau_and_secretariat_change_parameters(hubei: dict[str, Region], login: Any) -> None:
    row = param("PE-08", "min_years", "42", 3)
    for persona in ("leader", "school_admin_a", "enterprise_contact"):
        client = login(persona)
        assert client.get(f"/rules/ruleparameter/{row.pk}/").status_code == 200  # others read
        assert client.post(f"/rules/ruleparameter/{row.pk}/edit/", {"value": "9"}).status_code == 403
    assert RuleParameter.objects.get(pk=row.pk).value == 3


# --- findings ---------------------------------------------------------------------------------------------------


def test_finding_states_rule_citation_threshold_observed_and_message(hubei: dict[str, Region]) -> None:
    row = param("PE-08", "min_years", "42", 3)
    firm = young_enterprise(hubei["420502"], years=2)
    [finding] = [f for f in rules.check(firm, "apply") if f.rule_id == "PE-08"]
    assert finding.citation and finding.title
    assert finding.threshold == {"min_years": 3}
    assert finding.observed == firm.established
    assert finding.params["min_years"].jurisdiction == "42"
    assert finding.params["min_years"].parameter_id == row.pk
    assert finding.blocking and finding.field == "established"
    assert "不满 3 年" in finding.message and firm.established.isoformat() in finding.message
    assert finding.as_json()["params"]["min_years"]["effective_from"] == "2020-01-01"


def test_warning_does_not_refuse_but_is_reported(hubei: dict[str, Region]) -> None:
    education = factories.IndustryFactory(code="8336", section="P", name="职业技能培训")
    firm = young_enterprise(hubei["420502"], years=10, industry=education)
    findings = {f.rule_id: f for f in rules.check(firm, "apply")}
    assert findings["PE-07"].severity == rules.WARN
    assert rules.blocking_reasons(firm, "apply") == []


# --- the generated test: every rule with a jurisdiction parameter ------------------------------------------------


def _pe07_case(where: Region) -> tuple[Any, Any, Any]:
    education = factories.IndustryFactory(code="8391", section="P", name="其他教育")
    # National default: enforced. The override switches it off.
    return young_enterprise(where, years=10, industry=education), True, False


def _pe08_case(where: Region) -> tuple[Any, Any, Any]:
    return young_enterprise(where, years=2), 0, 3


def _tp01_case(where: Region) -> tuple[Any, Any, Any]:
    # 101 counted days of practice: short of 6 months (180 days), enough for 3 (90 days).
    teacher = factories.TeacherFactory(school=factories.SchoolFactory(region=where), hire_date=dt.date(2000, 1, 1))
    factories.TeacherPracticeFactory(teacher=teacher, start=TODAY - dt.timedelta(days=200),
                                     end=TODAY - dt.timedelta(days=100))
    return teacher, 6, 3


# rule id -> (obj in the region, national value of the rule's first parameter, override value that flips the outcome)
CASES: dict[str, Callable[[Region], tuple[Any, Any, Any]]] = {"PE-07": _pe07_case, "PE-08": _pe08_case,
                                                               "TP-01": _tp01_case, **FIT_CASES}
JURISDICTION_RULES = sorted(r.id for r in rules.declared() if r.params and r.region_path)


def test_every_jurisdiction_rule_has_a_case() -> None:
    assert sorted(CASES) == JURISDICTION_RULES


@pytest.mark.parametrize("rule_id", JURISDICTION_RULES)
@pytest.mark.parametrize("level", ["4205", "42"])
def test_an_override_at_the_objects_city_or_province_changes_the_outcome(
        rule_id: str, level: str, hubei: dict[str, Region]) -> None:
    rule = rules.rules[rule_id]
    RuleParameter.objects.filter(rule_id=rule_id).delete()
    obj, national, override = CASES[rule_id](hubei["420502"])
    p = rule.params[0]
    param(rule_id, p.name, "", national)
    event = rule.events[0]

    def outcome() -> bool:
        return any(f.rule_id == rule_id for f in rules.check(obj, event))

    def scanned() -> bool:
        return rules.scan(rule, type(obj)._base_manager.filter(pk=obj.pk)).exists()

    before = outcome()
    assert scanned() == before
    other = CASES[rule_id](hubei["130102"])[0]  # another province: untouched by the override
    other_before = outcome_of(rule, other, event)
    param(rule_id, p.name, level, override)
    assert outcome() != before
    assert scanned() == outcome()
    assert outcome_of(rule, other, event) == other_before


def outcome_of(rule: rules.Rule, obj: Any, event: str) -> bool:
    return any(f.rule_id == rule.id for f in rules.check(obj, event))


# --- scan in SQL = check per object -------------------------------------------------------------------------------


def _generated_world(hubei: dict[str, Region]) -> None:
    rng = random.Random(7)
    education = factories.IndustryFactory(code="8336", section="P", name="职业技能培训")
    plain = factories.IndustryFactory(code="3411", section="C", name="锅炉及辅助设备制造")
    places = [*hubei.values(), None]
    for n in range(40):
        established = None if n % 7 == 0 else TODAY - dt.timedelta(days=rng.randint(0, 3000))
        Organisation.objects.create(
            kind=OrgKind.ENTERPRISE if n % 9 else OrgKind.DEPARTMENT, name=f"生成单位{n}",
            uscc=factories.valid_uscc(7_000_000 + n), region=rng.choice(places), established=established,
            industry=rng.choice([education, plain, None]),
            integration_status=rng.choice(list(IntegrationStatus.values)))
    school = factories.SchoolFactory()
    for n in range(20):
        # Written past the rules on purpose (bulk): the scan must find what a form would refuse.
        Teacher.objects.bulk_create([Teacher(school=school, name=f"教师{n}", employee_no=f"G{n}",
                                             enterprise_years=Decimal(rng.choice(["-1", "0", "2.5"])),
                                             hire_date=TODAY + dt.timedelta(days=rng.randint(-900, 30)))])
    committee = _committee("生成")
    for n in range(20):
        joined = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 400))
        left = rng.choice([None, joined - dt.timedelta(days=3), joined + dt.timedelta(days=3)])
        CommitteeMembership.objects.bulk_create([CommitteeMembership(
            committee=committee, organisation=school, joined=joined, left=left, note=str(n))])


def _committee(name: str) -> Committee:
    department = factories.DepartmentFactory()
    group = VocationalGroup.objects.create(name=f"{name}职教集团", secretariat=department)
    pillar = PillarIndustry.objects.create(group=group, name=f"{name}产业")
    return Committee.objects.create(group=group, pillar=pillar, name=f"{name}委员会", director=department)


def test_scan_in_sql_equals_check_per_object(hubei: dict[str, Region]) -> None:
    param("PE-08", "min_years", "42", 3)
    param("PE-08", "min_years", "4205", 5)
    param("PE-07", "enforced", "420602", False)
    _generated_world(hubei)
    resolver = ParamResolver()
    for rule in rules.declared():
        for model in rule.models():
            objects = list(model._base_manager.all())
            by_check = {o.pk for o in objects if rule.applies(o) and any(
                f.rule_id == rule.id for f in rules.check(o, rule.events[0], resolver=resolver))}
            by_scan = set(rules.scan(rule, model._base_manager.all(), resolver=resolver).values_list("pk", flat=True))
            assert by_scan == by_check, (rule.id, model)
            if model is Organisation and rule.id in ("PE-01", "PE-08"):
                assert by_check, rule.id  # the generated data exercises the rule


def test_scan_is_one_query(hubei: dict[str, Region], django_assert_num_queries: Any) -> None:
    param("PE-08", "min_years", "42", 3)
    param("PE-08", "min_years", "4205", 5)
    _generated_world(hubei)
    resolver = ParamResolver()
    resolver.values(PE08, "")  # parameters read once, up front
    with django_assert_num_queries(1):
        list(rules.scan(PE08, Organisation.objects.all(), resolver=resolver))


# --- violations keep their history --------------------------------------------------------------------------------


def test_violations_are_kept_with_first_seen_and_resolved_at(hubei: dict[str, Region]) -> None:
    param("PE-08", "min_years", "42", 3)
    firm = young_enterprise(hubei["420502"], years=1, integration_status=IntegrationStatus.CULTIVATING)
    assert rules.record_scan(PE08) == {"new": 1, "open": 0, "resolved": 0}
    first = RuleViolation.objects.get(rule_id="PE-08", object_id=firm.pk)
    assert first.first_seen and first.resolved_at is None
    assert first.threshold == {"min_years": 3} and first.params_used["min_years"]["jurisdiction"] == "42"
    assert first.observed == firm.established.isoformat()
    assert rules.record_scan(PE08) == {"new": 0, "open": 1, "resolved": 0}
    Organisation.objects.filter(pk=firm.pk).update(established=dt.date(2000, 1, 1))
    assert rules.record_scan(PE08) == {"new": 0, "open": 0, "resolved": 1}
    first.refresh_from_db()
    assert first.resolved_at is not None  # kept, not deleted
    Organisation.objects.filter(pk=firm.pk).update(established=TODAY)
    assert rules.record_scan(PE08)["new"] == 1
    history = list(rules.violations_of(Organisation.objects.get(pk=firm.pk)).order_by("first_seen"))
    assert [v.resolved_at is None for v in history] == [False, True]
    assert audit_events(first, "create").exists() and audit_events(first, "update").exists()


# --- every entry point reaches the one rule -----------------------------------------------------------------------


def test_model_validation_reaches_the_data_rules(world: Any) -> None:
    teacher = Teacher(school=world.school_a, name="张三", employee_no="R1", enterprise_years=Decimal("-1"),
                      hire_date=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        teacher.full_clean()
    assert exc.value.message_dict == {"enterprise_years": ["企业工作经历不能为负数。"],
                                      "hire_date": ["入职日期不能晚于今天。"]}


def test_status_needs_an_enterprise_on_every_write(world: Any) -> None:
    world.department.integration_status = IntegrationStatus.CERTIFIED
    with pytest.raises(ValidationError) as exc:
        world.department.full_clean()
    assert "只有企业才能申报或认定为产教融合型企业。" in exc.value.messages


def test_end_membership_service_uses_the_rule(world: Any) -> None:
    committee = _committee("服务")
    member = CommitteeMembership.objects.create(committee=committee, organisation=world.school_a,
                                                joined=dt.date(2022, 1, 1))
    with pytest.raises(ValidationError) as exc:
        end_membership(member, dt.date(2021, 12, 31))
    assert exc.value.message_dict == {"left": ["退出日期不能早于加入日期。"]}
    member.refresh_from_db()
    assert member.left is None


def test_workflow_apply_is_guarded_by_the_rules(hubei: dict[str, Region], world: Any) -> None:
    param("PE-08", "min_years", "42", 3)
    firm = young_enterprise(hubei["420502"], years=1, industry=factories.IndustryFactory(code="3412"))
    with pytest.raises(TransitionRefused) as exc:
        firm.set_status("apply", by=world.bureau_admin)
    assert any("不满 3 年" in r for r in exc.value.reasons)
    assert Enterprise.objects.get(pk=firm.pk).integration_status == IntegrationStatus.NONE
    Organisation.objects.filter(pk=firm.pk).update(established=dt.date(2010, 1, 1))
    firm = Enterprise.objects.get(pk=firm.pk)
    firm.set_status("apply", by=world.bureau_admin)
    assert Enterprise.objects.get(pk=firm.pk).integration_status == IntegrationStatus.APPLIED


def test_enterprise_form_and_import_carry_established(world: Any, login: Any, tmp_path: Any) -> None:
    from chanjiao.orgs.forms import EnterpriseForm
    from chanjiao.orgs.imports import EnterpriseImporter
    from tests.orgs.test_imports_orgs import write_xlsx  # type: ignore[attr-defined]

    assert "established" in EnterpriseForm.base_fields
    headers = ["统一社会信用代码", "企业名称", "成立日期"]
    code = factories.valid_uscc(6_100_001)
    path = write_xlsx(tmp_path / "e.xlsx", headers, [[code, "成立日期测试有限公司", "2015-06-30"]])
    result = EnterpriseImporter(world.bureau_admin).commit(path, "e.xlsx")
    assert result.committed, result.errors
    assert Enterprise.objects.get(uscc=code).established == dt.date(2015, 6, 30)


# --- pages --------------------------------------------------------------------------------------------------------


def test_rules_page_lists_every_rule_with_citation_default_and_overrides(hubei: dict[str, Region],
                                                                          login: Any) -> None:
    param("PE-08", "min_years", "4205", 5)
    response = login("school_admin_a").get("/rules/")
    assert response.status_code == 200
    html = response.content.decode()
    for rule in rules.declared():
        assert f'data-rule="{rule.id}"' in html
        if rule.citation:
            assert str(rule.citation) in html
    assert "4205 地区4205" in html  # the override, with its region's name
    assert login("system_admin").get("/rules/").status_code == 403


def test_scan_button_is_for_the_bureau(hubei: dict[str, Region], login: Any) -> None:
    param("PE-08", "min_years", "42", 3)
    young_enterprise(hubei["420502"], years=1, integration_status=IntegrationStatus.CERTIFIED)
    assert login("leader").post("/rules/").status_code == 403
    assert not RuleViolation.objects.exists()
    response = login("bureau_admin").post("/rules/")
    assert response.status_code == 302
    assert RuleViolation.objects.filter(rule_id="PE-08", resolved_at__isnull=True).count() == 1
    page = login("bureau_admin").get("/rules/").content.decode()
    assert "?rule_id=PE-08&amp;open=true" in page


# --- generated page tests for the two models ----------------------------------------------------------------------


class TestRuleParameterViews(ModelHarness):
    ui = rules_ui.parameters
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "leader"
    has_out_of_scope = False
    natural_key = "source_note"
    edit_changes = {"source_note": "更正后的通知"}

    def in_scope(self, world: Any) -> Any:
        region("42", "湖北省")
        n = next(_numbers)
        return RuleParameter.objects.create(rule_id="PE-08", param="min_years", jurisdiction="42", value=3,
                                            effective_from=dt.date(2000, 1, 1) + dt.timedelta(days=n),
                                            source_note=f"测试通知{n}")

    def create_data(self, world: Any) -> dict[str, Any]:
        # National (no region row needed): the harness may call this before in_scope().
        return {"rule_id": "PE-08", "param": "min_years", "jurisdiction": "", "value": "1",
                "effective_from": "2026-01-01", "source_note": "全国统一年限（测试）"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"rule_id": "PE-08", "param": "min_years", "jurisdiction": "12345", "value": "-3",
                "effective_from": "2026-01-01", "source_note": "无效"}

    def marker(self, obj: Any) -> str:
        return obj.source_note


class TestRuleViolationViews(ModelHarness):
    ui = rules_ui.violations
    persona = "bureau_admin"
    read_only_persona = "leader"
    has_out_of_scope = False
    natural_key = "object_repr"

    def in_scope(self, world: Any) -> Any:
        from django.contrib.contenttypes.models import ContentType

        now = timezone.now()
        return RuleViolation.objects.create(
            rule_id="PE-08", content_type=ContentType.objects.get_for_model(Organisation),
            object_id=world.enterprise.pk, object_repr=str(world.enterprise), observed=None,
            message="测试违反", first_seen=now, last_seen=now)

    def marker(self, obj: Any) -> str:
        return obj.object_repr
