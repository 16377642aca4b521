"""Issue #7 gap 5: the API's answers are derived from the model and the form (core.api.output_schema),
so a field added to a form reaches the API without another edit — and the check below would see
one that does not."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.db import models
from django.test import Client

from chanjiao.api.api import api
from chanjiao.core.registry import ModelUI, registry
from chanjiao.core.roles import Role
from chanjiao.orgs import forms as org_forms
from chanjiao.orgs import ui as org_ui
from tests import factories


def _components() -> tuple[dict[str, Any], dict[str, Any]]:
    schema = json.loads(json.dumps(api.get_openapi_schema()))
    return schema["paths"], schema["components"]["schemas"]


def output_properties() -> dict[str, set[str]]:
    """ModelUI name → the properties its detail route (``<name>_get``) documents for a 200 answer."""
    paths, components = _components()
    found = {}
    for item in paths.values():
        for operation in item.values():
            if not isinstance(operation, dict) or not operation.get("operationId", "").endswith("_get"):
                continue
            ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            found[operation["operationId"][:-4]] = set(components[ref.rsplit("/", 1)[1]]["properties"])
    return found


def answer_key(model: type[models.Model], name: str) -> str:
    """The key a form field answers under: a foreign key as ``<name>_id``, anything else by its name."""
    f = model._meta.get_field(name)
    return f.attname if f.many_to_one or f.one_to_one else f.name


def missing_from_output(ui: ModelUI, properties: set[str]) -> set[str]:
    """The form fields of ``ui`` that the API's answer lacks (a field one can write but not read back)."""
    names = ui.form._meta.fields if ui.form is not None else ()
    return {name for name in names if answer_key(ui.model, name) not in properties}


def test_every_api_answers_with_every_form_field() -> None:
    outputs = output_properties()
    with_api = [ui for ui in registry if ui.name in outputs]
    # Every organisation, people and group model, and the four code tables.
    assert len(with_api) >= 19, sorted(outputs)
    assert {ui.name: missing_from_output(ui, outputs[ui.name]) for ui in with_api} == {ui.name: set()
                                                                                       for ui in with_api}


def test_the_check_sees_a_form_field_the_answer_lacks() -> None:
    # The hand-written SchoolOut before gap 5: the API took an address and a website and never returned them.
    hand_written = {"id", "kind", "name", "short_name", "region_id", "school_code", "school_level", "funding",
                    "competent_authority"}
    assert missing_from_output(org_ui.schools, hand_written) == {"address", "website"}
    assert missing_from_output(org_ui.schools, output_properties()["school"]) == set()


def test_a_field_added_to_the_form_reaches_the_answer() -> None:
    from chanjiao.core.api import output_schema

    class WiderSchoolForm(org_forms.SchoolForm):
        class Meta(org_forms.SchoolForm.Meta):
            fields = [*org_forms.SchoolForm.Meta.fields, "is_demo"]

    derived = set(output_schema(org_ui.schools).model_fields)
    widened = set(output_schema(replace(org_ui.schools, form=WiderSchoolForm)).model_fields)
    assert widened - derived == {"is_demo"}
    assert "region_id" in derived and "region" not in derived  # a foreign key answers by id, as before


def test_the_answer_is_what_the_description_says(world: Any, login: Any) -> None:
    # The derived fields answer with the stored values; the declared ones (the masked phone, the codes
    # beside the ids) still take precedence over the model's own value.
    world.school_a.address = "甲市学院路1号"
    world.school_a.website = "https://a.example.cn"
    world.school_a.save()
    industry = factories.IndustryFactory()
    pillar = factories.PillarIndustryFactory(description="先进制造")
    pillar.industries.set([industry])
    contact = factories.ContactFactory(organisation=world.enterprise, phone="13800138000", note="备注")
    client: Client = login("school_admin_a")
    _paths, components = _components()

    school = client.get(f"/api/orgs/schools/{world.school_a.pk}").json()
    assert set(school) == set(components["SchoolOut"]["properties"])
    assert (school["address"], school["website"], school["kind"]) == ("甲市学院路1号", "https://a.example.cn", "school")
    assert school["region_id"] == world.school_a.region_id

    answer = client.get(f"/api/orgs/pillar-industries/{pillar.pk}").json()
    assert (answer["industries"], answer["industry_codes"], answer["description"]) == ([industry.pk],
                                                                                       [industry.code], "先进制造")
    own = login("enterprise_contact").get(f"/api/orgs/contacts/{contact.pk}").json()
    assert (own["note"], own["phone"]) == ("备注", "13800138000")
    # A committee leader reaches a member's contacts, with the number masked (the declared resolver).
    factories.CommitteeMembershipFactory(committee=factories.CommitteeFactory(director=world.department),
                                         organisation=world.enterprise)
    leader = factories.MembershipFactory(role=Role.COMMITTEE_LEADER, organisation=world.department).user
    client.force_login(leader)
    assert client.get(f"/api/orgs/contacts/{contact.pk}").json()["phone"] == "138****8000"


def test_a_detail_page_lists_the_form_fields_by_default(world: Any, login: Any) -> None:
    # The same derivation on the page (core.display.detail_field_names): the form's fields in its order,
    # the workflow status, then the timestamps — a many-to-many field by its names.
    industry = factories.IndustryFactory(name="汽车制造业")
    pillar = factories.PillarIndustryFactory(description="先进制造")
    pillar.industries.set([industry])
    client = login("bureau_admin")

    rows = client.get(f"/orgs/pillarindustry/{pillar.pk}/").context["rows"]
    assert [label for label, _value in rows] == [
        *(str(org_forms.PillarIndustryForm.base_fields[n].label) for n in org_forms.PillarIndustryForm.Meta.fields),
        "创建时间", "更新时间"]
    assert dict(rows)["对应国民经济行业"] == str(industry)
    labels = [label for label, _value in client.get(f"/orgs/enterprise/{world.enterprise.pk}/").context["rows"]]
    assert labels[-3:] == ["产教融合型企业", "创建时间", "更新时间"] and "地址" in labels and "类型" not in labels
