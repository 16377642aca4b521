"""Issue #8 point 0: bureau-level grants bound to a jurisdiction, on two cities of one province.

武汉 (4201) and 宜昌 (4205) each have a school, an enterprise, a teacher, a contact and a group with
its structure; one 宜昌 enterprise sits on a 武汉 school's guidance committee (cooperation). The
city bureaus see and write their own city, read the cooperating enterprise, and never see the rest
of the other city — on list pages, detail pages, exports and the API. The province-scale proof over
every generated role is tests/benchmarks/test_jurisdiction_harness.py (PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chanjiao.accounts.models import Membership
from chanjiao.catalog.models import Region
from chanjiao.core.roles import Role
from chanjiao.core.scoping import forget_scope, get_scope
from chanjiao.orgs.models import Contact, Enterprise, School, Teacher, VocationalGroup
from tests import factories
from tests.harness.helpers import xlsx_rows

pytestmark = pytest.mark.django_db


class Place:
    """Regions, organisations and users of the two-city province (built per test: cheap)."""

    def __init__(self) -> None:
        region = factories.RegionFactory
        self.hubei = region(code="42", name="湖北省", level=Region.Level.PROVINCE)
        self.wuhan = region(code="4201", name="武汉市", level=Region.Level.CITY, parent=self.hubei)
        self.yichang = region(code="4205", name="宜昌市", level=Region.Level.CITY, parent=self.hubei)
        self.jiangan = region(code="420102", name="江岸区", level=Region.Level.COUNTY, parent=self.wuhan)
        self.hongshan = region(code="420111", name="洪山区", level=Region.Level.COUNTY, parent=self.wuhan)
        self.yiling = region(code="420506", name="夷陵区", level=Region.Level.COUNTY, parent=self.yichang)
        uscc = factories.valid_uscc
        self.school_wh = factories.SchoolFactory(name="武汉示范职业学院", school_code="4142000001",
                                                 region=self.jiangan)
        self.school_wh2 = factories.SchoolFactory(name="洪山中等职业学校", school_code="4142000003",
                                                  region=self.hongshan)
        self.school_yc = factories.SchoolFactory(name="宜昌示范职业学院", school_code="4142000002",
                                                 region=self.yiling)
        self.firm_wh = factories.EnterpriseFactory(name="江岸智能制造有限公司", uscc=uscc(8_100_001),
                                                   region=self.jiangan)
        self.firm_yc = factories.EnterpriseFactory(name="夷陵化工有限公司", uscc=uscc(8_100_002), region=self.yiling)
        self.partner_yc = factories.EnterpriseFactory(name="夷陵电力装备有限公司", uscc=uscc(8_100_003),
                                                      region=self.yiling)
        self.bureau_dept_wh = factories.DepartmentFactory(name="武汉市教育局", region=self.wuhan)
        self.bureau_dept_yc = factories.DepartmentFactory(name="宜昌市教育局", region=self.yichang)
        # The cooperation that makes a 宜昌 enterprise visible in 武汉: a seat on a 武汉 school's committee.
        guidance = factories.GuidanceCommitteeFactory(school=self.school_wh, name="电力专业教学指导委员会")
        factories.GuidanceMemberFactory(committee=guidance, organisation=self.partner_yc, person_name="跨市专家")
        factories.GuidanceCommitteeFactory(school=self.school_yc, name="化工专业教学指导委员会")
        self.teacher_wh = factories.TeacherFactory(school=self.school_wh, name="武汉老师", employee_no="W1")
        self.teacher_yc = factories.TeacherFactory(school=self.school_yc, name="宜昌老师", employee_no="Y1")
        self.contact_yc = factories.ContactFactory(organisation=self.firm_yc, name="宜昌联系人")
        self.contact_partner = factories.ContactFactory(organisation=self.partner_yc, name="合作方联系人")
        self.contact_wh = factories.ContactFactory(organisation=self.firm_wh, name="武汉联系人")
        self.group_wh = factories.VocationalGroupFactory(name="武汉职教集团", secretariat=self.bureau_dept_wh,
                                                         region=self.wuhan)
        self.group_yc = factories.VocationalGroupFactory(name="宜昌职教集团", secretariat=self.bureau_dept_yc,
                                                         region=self.yichang)
        self.term_wh = factories.BoardTermFactory(group=self.group_wh, number=1)
        self.term_yc = factories.BoardTermFactory(group=self.group_yc, number=1)
        self.users: dict[str, Any] = {}
        for name, role, where in [
            ("bureau_wh", Role.BUREAU_ADMIN, self.wuhan), ("bureau_yc", Role.BUREAU_ADMIN, self.yichang),
            ("bureau_hb", Role.BUREAU_ADMIN, self.hubei), ("bureau_jiangan", Role.BUREAU_ADMIN, self.jiangan),
            ("secretariat_wh", Role.SECRETARIAT, self.wuhan), ("leader_wh", Role.LEADER, self.wuhan),
            ("bureau_all", Role.BUREAU_ADMIN, None),
        ]:
            user = factories.UserFactory(username=name)
            Membership.objects.create(user=user, role=role, jurisdiction=where)
            self.users[name] = user

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


@pytest.fixture
def place() -> Place:
    return Place()


def _list_ids(client: Client, url_name: str, **params: str) -> set[int]:
    response = client.get(reverse(url_name), {"per_page": "100", **params})
    assert response.status_code == 200
    return {row.record.pk for row in response.context["table"].paginated_rows}


def _api_ids(client: Client, path: str) -> set[int]:
    response = client.get(path, {"page_size": "200"})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def _export_names(client: Client, url_name: str) -> set[str]:
    response = client.get(reverse(url_name), {"export": "xlsx"})
    assert response.status_code == 200
    rows = xlsx_rows(b"".join(response.streaming_content) if response.streaming else response.content)
    return {str(cell) for row in rows[1:] for cell in row if cell}


def test_a_city_bureau_reads_its_city_and_the_enterprises_cooperating_with_it(place: Place) -> None:
    client = place.client("bureau_wh")
    firms = {place.firm_wh.pk, place.partner_yc.pk}  # its own, and the 宜昌 partner of a 武汉 school
    assert _list_ids(client, "orgs:enterprise_list") == firms
    assert _api_ids(client, "/api/orgs/enterprises/") == firms
    exported = _export_names(client, "orgs:enterprise_list")
    assert {place.firm_wh.name, place.partner_yc.name} <= exported
    assert place.firm_yc.name not in exported
    assert _list_ids(client, "orgs:school_list") == {place.school_wh.pk, place.school_wh2.pk}
    assert _api_ids(client, "/api/orgs/teachers/") == {place.teacher_wh.pk}
    assert _api_ids(client, "/api/orgs/contacts/") == {place.contact_wh.pk, place.contact_partner.pk}
    assert _api_ids(client, "/api/orgs/groups/") == {place.group_wh.pk}
    assert _api_ids(client, "/api/orgs/board-terms/") == {place.term_wh.pk}
    for url in (reverse("orgs:enterprise_detail", args=[place.firm_yc.pk]),
                reverse("orgs:school_detail", args=[place.school_yc.pk]),
                reverse("orgs:teacher_detail", args=[place.teacher_yc.pk]),
                reverse("orgs:contact_detail", args=[place.contact_yc.pk]),
                reverse("orgs:vocationalgroup_detail", args=[place.group_yc.pk]),
                f"/api/orgs/enterprises/{place.firm_yc.pk}", f"/api/orgs/groups/{place.group_yc.pk}"):
        assert client.get(url).status_code == 404, url


def test_the_other_city_sees_the_mirror_image(place: Place) -> None:
    client = place.client("bureau_yc")
    assert _api_ids(client, "/api/orgs/enterprises/") == {place.firm_yc.pk, place.partner_yc.pk}
    assert _api_ids(client, "/api/orgs/schools/") == {place.school_yc.pk}
    assert _api_ids(client, "/api/orgs/teachers/") == {place.teacher_yc.pk}
    assert _api_ids(client, "/api/orgs/groups/") == {place.group_yc.pk}


def test_a_city_bureau_writes_only_its_own_city(place: Place) -> None:
    client = place.client("bureau_wh")
    own = reverse("orgs:enterprise_edit", args=[place.firm_wh.pk])
    assert client.get(own).status_code == 200
    # The cooperating 宜昌 enterprise is read, never edited, by 武汉: 宜昌 answers for it.
    partner = reverse("orgs:enterprise_edit", args=[place.partner_yc.pk])
    assert client.get(partner).status_code == 403
    response = client.patch(f"/api/orgs/enterprises/{place.partner_yc.pk}", data='{"short_name": "改"}',
                            content_type="application/json")
    assert response.status_code == 403
    place.partner_yc.refresh_from_db()
    assert place.partner_yc.short_name != "改"


def test_a_city_bureau_files_new_rows_only_within_its_city(place: Place) -> None:
    client = place.client("bureau_wh")
    page = client.get(reverse("orgs:enterprise_add"))
    offered = {region.pk for region in page.context["form"].fields["region"].queryset}
    assert offered == {place.wuhan.pk, place.jiangan.pk, place.hongshan.pk}
    data = {"name": "跨市新建有限公司", "uscc": factories.valid_uscc(8_100_009), "region": place.yiling.pk}
    response = client.post(reverse("orgs:enterprise_add"), data)
    assert response.status_code == 400
    assert not Enterprise.objects.filter(name="跨市新建有限公司").exists()
    response = client.post(reverse("orgs:enterprise_add"), {**data, "region": ""})
    assert response.status_code == 400
    assert "管辖范围（武汉市）" in response.content.decode()
    response = client.post(reverse("orgs:enterprise_add"), {**data, "region": place.hongshan.pk})
    assert response.status_code == 302
    assert Enterprise.objects.get(name="跨市新建有限公司").region == place.hongshan


def test_an_import_by_a_city_bureau_refuses_rows_of_another_city(place: Place, tmp_path: Path) -> None:
    from openpyxl import Workbook

    from chanjiao.orgs.imports import EnterpriseImporter

    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "企业名称", "所在区县代码"])
    sheet.append([factories.valid_uscc(8_100_011), "江岸新办有限公司", "420102"])
    sheet.append([factories.valid_uscc(8_100_012), "夷陵新办有限公司", "420506"])
    sheet.append([factories.valid_uscc(8_100_013), "无区县有限公司", None])
    path = tmp_path / "企业.xlsx"
    book.save(path)
    header = next(c.header for c in EnterpriseImporter.columns if c.field == "region")
    assert header == "所在区县代码"  # the workbook above uses the importer's own header
    result = EnterpriseImporter(place.users["bureau_wh"]).commit(path, path.name)
    reasons = {(e.row, e.reason) for e in result.errors}
    assert (3, "请填写您管辖范围（武汉市）内的地区。") in reasons
    assert (4, "请填写您管辖范围（武汉市）内的地区。") in reasons
    assert {e.row for e in result.errors} == {3, 4}
    assert not Enterprise.objects.filter(name__endswith="新办有限公司").exists()  # nothing half-imported
    # The unbounded bureau files the same rows (the region column stays optional for it).
    result = EnterpriseImporter(place.users["bureau_all"]).commit(path, path.name)
    assert not result.errors and result.created == 3


def test_a_county_bureau_reads_its_schools_and_what_they_cooperate_with(place: Place) -> None:
    client = place.client("bureau_jiangan")
    assert _api_ids(client, "/api/orgs/schools/") == {place.school_wh.pk}
    # Not the county's enterprises as such — the 区县教育局 answers for schools — but the partner of its school.
    assert _api_ids(client, "/api/orgs/enterprises/") == {place.partner_yc.pk}
    assert _api_ids(client, "/api/orgs/teachers/") == {place.teacher_wh.pk}
    # It reads its city's group (which governs it) and cannot edit it.
    assert _api_ids(client, "/api/orgs/groups/") == {place.group_wh.pk}
    assert client.get(reverse("orgs:vocationalgroup_edit", args=[place.group_wh.pk])).status_code == 403


def test_the_province_and_an_unbounded_grant_read_everything(place: Place, settings: Any) -> None:
    every_firm = set(Enterprise.objects.values_list("pk", flat=True))
    for name in ("bureau_hb", "bureau_all"):
        assert _api_ids(place.client(name), "/api/orgs/enterprises/") == every_firm
    settings.DEPLOYMENT_REGION = "42"  # a province platform: the 教育厅 needs no region filter at all
    forget_scope(place.users["bureau_hb"])
    assert get_scope(place.users["bureau_hb"]).everywhere
    assert not get_scope(place.users["bureau_wh"]).everywhere
    assert _api_ids(place.client("bureau_hb"), "/api/orgs/enterprises/") == every_firm


def test_secretariat_and_leader_are_bounded_like_the_bureau(place: Place) -> None:
    for name in ("secretariat_wh", "leader_wh"):
        client = place.client(name)
        assert _api_ids(client, "/api/orgs/schools/") == {place.school_wh.pk, place.school_wh2.pk}
        assert client.get(reverse("orgs:school_detail", args=[place.school_yc.pk])).status_code == 404


def test_the_history_of_another_city_is_not_readable(place: Place) -> None:
    client = place.client("bureau_wh")
    assert client.get(reverse("orgs:enterprise_history", args=[place.firm_yc.pk])).status_code == 404
    assert client.get(reverse("orgs:enterprise_history", args=[place.firm_wh.pk])).status_code == 200


def test_rule_parameters_of_another_city_are_neither_read_nor_written(place: Place) -> None:
    from chanjiao.core.rules import RuleParameter

    day = dt.date(2026, 1, 1)
    rows = {code: RuleParameter.objects.create(rule_id="PE-08", param="min_years", jurisdiction=code, value=3,
                                               effective_from=day, source_note="测试")
            for code in ("", "42", "4201", "420102", "4205")}
    visible = set(RuleParameter.objects.visible_to(place.users["bureau_wh"]).values_list("jurisdiction", flat=True))
    assert visible == {"", "42", "4201", "420102"}
    editable = set(RuleParameter.objects.editable_by(place.users["bureau_wh"]).values_list("jurisdiction", flat=True))
    assert editable == {"4201", "420102"}
    client = place.client("bureau_wh")
    response = client.post(reverse("core:ruleparameter_add"), {
        "rule_id": "PE-08", "param": "min_years", "jurisdiction": "4205", "value": "2",
        "effective_from": "2026-06-01", "source_note": "越权"})
    assert response.status_code == 400
    assert not RuleParameter.objects.filter(source_note="越权").exists()
    assert rows["4205"].value == 3


def test_a_jurisdiction_belongs_to_bureau_level_grants_only(place: Place) -> None:
    from django.core.exceptions import ValidationError

    grant = Membership(user=place.users["bureau_wh"], role=Role.SCHOOL_ADMIN, organisation=place.school_wh,
                       jurisdiction=place.wuhan)
    with pytest.raises(ValidationError) as refused:
        grant.full_clean()
    assert "jurisdiction" in refused.value.message_dict


def test_an_unbounded_grant_outweighs_a_bounded_one(place: Place) -> None:
    user = place.users["bureau_wh"]
    assert get_scope(user).jurisdictions == frozenset({"4201"})
    Membership.objects.create(user=user, role=Role.LEADER)
    forget_scope(user)
    assert get_scope(user).everywhere


def test_the_province_dashboard_rolls_up_by_city(place: Place) -> None:
    response = place.client("bureau_hb").get(reverse("reports:dashboard"))
    rollup = response.context["dashboard"]["rollup"]
    rows = {row["label"]: [cell["value"] for cell in row["cells"]] for row in rollup["rows"]}
    assert rows == {str(place.wuhan): [2, 1], str(place.yichang): [1, 2]}  # [schools, enterprises]
    # Each cell drills down to the list of exactly the rows it counts.
    cell = next(row for row in rollup["rows"] if row["label"] == str(place.yichang))["cells"][1]
    assert _list_ids(place.client("bureau_hb"), "orgs:enterprise_list", **_query(cell["url"])) == {
        place.firm_yc.pk, place.partner_yc.pk}
    # A city's bureau reads one city: no roll-up.
    assert place.client("bureau_wh").get(reverse("reports:dashboard")).context["dashboard"]["rollup"] is None


def _query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def test_the_roll_up_counts_generated_records(place: Place) -> None:
    # A second proof on generated data: random schools and enterprises over the counties, counted by hand.
    rng = random.Random(8)
    counties = [place.jiangan, place.hongshan, place.yiling]
    expected: dict[str, list[int]] = {str(place.wuhan): [2, 1], str(place.yichang): [1, 2]}
    for n in range(40):
        county = rng.choice(counties)
        city = str(place.wuhan if county.code.startswith("4201") else place.yichang)
        if rng.random() < 0.3:
            factories.SchoolFactory(name=f"生成学校{n}", school_code=f"41430{n:05d}", region=county)
            expected[city][0] += 1
        else:
            factories.EnterpriseFactory(name=f"生成企业{n}", uscc=factories.valid_uscc(8_200_000 + n), region=county)
            expected[city][1] += 1
    rollup = place.client("bureau_hb").get(reverse("reports:dashboard")).context["dashboard"]["rollup"]
    assert {row["label"]: [c["value"] for c in row["cells"]] for row in rollup["rows"]} == expected
    page = place.client("bureau_hb").get(reverse("reports:dashboard")).content.decode()
    assert re.search(r'data-testid="city-rollup"', page)


def test_other_roles_are_not_bounded_by_a_jurisdiction(place: Place) -> None:
    # A school admin of 宜昌 edits its own school, whatever the bureaus' jurisdictions.
    user = factories.UserFactory(username="school_yc_admin")
    Membership.objects.create(user=user, role=Role.SCHOOL_ADMIN, organisation=place.school_yc)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("orgs:school_edit", args=[place.school_yc.pk])).status_code == 200
    assert School.objects.editable_by(user).get() == place.school_yc
    assert Teacher.objects.editable_by(user).get() == place.teacher_yc
    assert not Contact.objects.editable_by(user).exists()
    assert VocationalGroup.objects.visible_to(user).count() == 2


def test_every_business_model_states_where_it_belongs() -> None:
    # Without ``jurisdiction_q`` a bounded bureau reaches none of a model's rows (default deny): a new
    # model must say how its rows are placed, or the city bureaus lose it without a test noticing.
    from django.apps import apps

    missing = [m._meta.label for m in apps.get_models()
               if m._meta.app_config.name.startswith("chanjiao.")
               and hasattr(m, "scope_q") and not getattr(m, "administrative", False)
               and not getattr(m, "public_read", False) and not hasattr(m, "jurisdiction_q")]
    assert missing == []


def test_the_api_says_which_jurisdiction_a_user_holds(place: Place) -> None:
    assert place.client("bureau_wh").get("/api/accounts/me").json()["jurisdictions"] == ["4201"]
    assert place.client("bureau_all").get("/api/accounts/me").json()["jurisdictions"] is None


def test_the_grants_list_names_each_jurisdiction(place: Place) -> None:
    admin = factories.UserFactory(username="secadmin_j")
    Membership.objects.create(user=admin, role=Role.SECURITY_ADMIN)
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("accounts:membership_list"), {"per_page": "100"})
    cells = {row.record.user.username: row.get_cell("jurisdiction") for row in response.context["table"].paginated_rows}
    assert cells["bureau_wh"] == "4201 武汉市"
    assert cells["bureau_all"] == "全平台"  # no jurisdiction on a bureau grant: the whole platform, said so
    assert cells["secadmin_j"] == "—"


def test_the_api_refuses_a_new_row_outside_the_jurisdiction(place: Place) -> None:
    import json

    client = place.client("bureau_wh")
    body = {"name": "接口跨市有限公司", "uscc": factories.valid_uscc(8_100_021), "region": place.yiling.pk}
    response = client.post("/api/orgs/enterprises/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "请填写您管辖范围（武汉市）内的地区。" in json.dumps(response.json(), ensure_ascii=False)
    assert not Enterprise.objects.filter(name="接口跨市有限公司").exists()
    body["region"] = place.jiangan.pk
    response = client.post("/api/orgs/enterprises/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201


def test_an_agreement_belongs_to_its_schools_cities_and_shows_its_partner_there(place: Place) -> None:
    # Issue #9 on issue #8 point 0: an agreement is placed by its party schools' regions (not the
    # enterprise's); through it the 宜昌 enterprise becomes a partner 武汉's bureau reads (engagement/apps.py).
    api = "/api/engagement/agreements/"
    wh, yc = place.client("bureau_wh"), place.client("bureau_yc")
    assert place.firm_yc.pk not in _api_ids(wh, "/api/orgs/enterprises/")
    deal = factories.AgreementFactory(title="武汉学校与宜昌企业的协议", schools=[place.school_wh],
                                      enterprises=[place.firm_yc])
    joint = factories.AgreementFactory(title="两市学校联合协议", schools=[place.school_wh, place.school_yc],
                                       enterprises=[place.firm_wh])
    assert _api_ids(wh, api) == {deal.pk, joint.pk}
    assert _list_ids(wh, "engagement:agreement_list") == {deal.pk, joint.pk}
    assert _api_ids(wh, "/api/orgs/enterprises/") == {place.firm_wh.pk, place.partner_yc.pk, place.firm_yc.pk}
    assert wh.get(reverse("orgs:enterprise_detail", args=[place.firm_yc.pk])).status_code == 200
    # 武汉 reads the partner, never edits it: 宜昌 answers for its enterprise.
    assert wh.get(reverse("orgs:enterprise_edit", args=[place.firm_yc.pk])).status_code == 403
    # 宜昌 has no school in the first agreement: it does not see it; the joint one it does, and its own firm.
    assert _api_ids(yc, api) == {joint.pk}
    assert yc.get(reverse("engagement:agreement_detail", args=[deal.pk])).status_code == 404
    assert place.firm_yc.pk in _api_ids(yc, "/api/orgs/enterprises/")
    # A county reads the agreements of its schools only; the province reads both.
    assert _api_ids(place.client("bureau_jiangan"), api) == {deal.pk, joint.pk}
    assert _api_ids(place.client("bureau_hb"), api) == {deal.pk, joint.pk}
    assert wh.get(reverse("engagement:agreement_edit", args=[deal.pk])).status_code == 200
    assert yc.get(reverse("engagement:agreement_edit", args=[joint.pk])).status_code == 200
    # 武汉 files no agreement of 宜昌's schools alone: 宜昌's school is no choice it is offered.
    import json

    body = {"title": "越权登记的协议", "kind": "deep", "schools": [place.school_yc.pk],
            "enterprises": [place.firm_yc.pk], "start": "2024-09-01"}
    response = wh.post(api, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "schools" in response.json()["errors"]
    assert not type(deal)._base_manager.filter(title="越权登记的协议").exists()
