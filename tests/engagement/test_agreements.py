"""校企合作协议 (issue #9): who the parties are, the term, duplicates, the workflow, expiry, SC-03, renewals.

The generated workflow tests (every transition × every persona, page and API) are ``TestAgreementWorkflow``;
the tests below state the agreement's own rules: refused writes leave nothing behind, the status moves only
through transitions with who and when in its history, expiry is the system's, SC-03 warns and never blocks.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chanjiao.core import rules
from chanjiao.core.models import AuditEvent
from chanjiao.core.workflow import StatusChange
from chanjiao.engagement import services
from chanjiao.engagement import ui as engagement_ui
from chanjiao.engagement.forms import AgreementForm
from chanjiao.engagement.models import Agreement, AgreementStatus
from chanjiao.engagement.rules import EndNotBeforeStart, InternHostingTerm
from tests import factories
from tests.attachment_harness import AttachmentHarness
from tests.harness import api_patch, api_post, as_post, state
from tests.workflow_harness import WorkflowHarness

S = AgreementStatus
API = "/api/engagement/agreements/"
ADD = reverse("engagement:agreement_add")
PARTIES = {"bureau_admin", "secretariat", "school_admin_a", "enterprise_contact"}


def agreement(world: Any, **fields: Any) -> Agreement:
    """A draft between school A and the enterprise (the personas school_admin_a and enterprise_contact)."""
    fields.setdefault("schools", [world.school_a])
    fields.setdefault("enterprises", [world.enterprise])
    return factories.AgreementFactory(**fields)


# --- generated: the workflow ----------------------------------------------------------------------------------


class TestAgreementWorkflow(WorkflowHarness):
    model = Agreement
    ui = engagement_ui.agreements
    api_path = API
    # The parties' own people and the global writers move an agreement; expiry is the system's.
    permitted = {"sign": PARTIES, "start": PARTIES, "terminate": PARTIES}

    def fresh(self, world: Any, status: str) -> Agreement:
        return agreement(world, status=status, signed_on=dt.date(2024, 6, 1),
                         start=dt.date(2024, 9, 1) + dt.timedelta(days=Agreement._base_manager.count()))

    def blocked(self, world: Any, name: str) -> tuple[Agreement, str]:
        assert name == "sign"
        return agreement(world, title="未填签署日期的协议"), "签署前须填写签署日期"


class TestAgreementScans(AttachmentHarness):
    """协议签署扫描件 (LAW-01's evidence): read by the parties' editors and the global readers."""

    ui = engagement_ui.agreements
    kind = "signed_scan"
    owner = "school_admin_a"
    # The scan's use takes PDF/JPG/PNG only: there is no office-file use on an agreement to try.
    test_it_looks_inside_office_files = None
    test_it_accepts_real_office_files = None

    def parent(self, world: Any) -> Agreement:
        if not hasattr(world, "scanned"):
            world.scanned = agreement(world, title="有扫描件的协议")
        return world.scanned

    def other(self, world: Any) -> Agreement:
        if not hasattr(world, "unrelated"):
            world.unrelated = factories.AgreementFactory(title="别校的协议", schools=[world.school_b],
                                                         enterprises=[world.enterprise_b])
        return world.unrelated

    def test_uploading_to_the_other_organisation_is_403_and_stores_nothing(self, world: Any, login: Any) -> None:
        # Replaces the generated 403: school B's agreement does not exist for school A (404), as everywhere.
        from tests.attachment_harness import PDF, upload

        response = login(self.owner).post(self.upload_url(self.other(world)),
                                          {"kind": self.kind, "file": upload("协议.pdf", PDF)})
        assert response.status_code == 404
        self.assert_nothing_stored()


# --- the form and the API refuse, and write nothing --------------------------------------------------------------


def _valid(world: Any, **changes: Any) -> dict[str, Any]:
    data = {"title": "甲市第一职院与智能制造公司订单培养协议", "kind": "order", "schools": [world.school_a.pk],
            "enterprises": [world.enterprise.pk], "start": "2024-09-01", "end": "2027-08-31"}
    return {**data, **changes}


def _nothing_written(before: tuple[int, int]) -> bool:
    return (Agreement._base_manager.count(), AuditEvent.objects.filter(category="data").count()) == before


def _counts() -> tuple[int, int]:
    return Agreement._base_manager.count(), AuditEvent.objects.filter(category="data").count()


REFUSALS = {
    "no school": ({"schools": []}, "schools", "协议须至少有一所学校作为签约方。"),
    "no enterprise": ({"enterprises": []}, "enterprises", "协议须至少有一家企业作为签约方。"),
    "end before start": ({"end": "2024-08-31"}, "end", "协议结束日期不能早于开始日期。"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_the_form_refuses_an_incomplete_agreement(world: Any, login: Any, case: str) -> None:
    changes, field, message = REFUSALS[case]
    before = _counts()
    response = login("school_admin_a").post(ADD, as_post(_valid(world, **changes)))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert _nothing_written(before)


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_the_api_refuses_an_incomplete_agreement(world: Any, login: Any, case: str) -> None:
    changes, field, message = REFUSALS[case]
    before = _counts()
    response = api_post(login("bureau_admin"), API, _valid(world, **changes))
    assert response.status_code == 400, response.content
    assert response.json()["errors"][field] == [message]
    assert _nothing_written(before)


def test_the_api_refuses_an_edit_that_drops_every_enterprise(world: Any, login: Any) -> None:
    obj = agreement(world)
    before = state(obj)
    response = api_patch(login("school_admin_a"), f"{API}{obj.pk}", {"enterprises": []})
    assert response.status_code == 400
    assert response.json()["errors"]["enterprises"] == ["协议须至少有一家企业作为签约方。"]
    assert state(obj) == before
    assert list(obj.enterprises.all()) == [world.enterprise]


def test_a_duplicate_is_refused_whoever_recorded_the_first(world: Any, login: Any) -> None:
    # The bureau recorded it first (school A's admin may not even have seen that row); the same kind,
    # start date and parties — in another order, with another title — is refused by the form and the API.
    first = agreement(world, kind="order", start=dt.date(2024, 9, 1), title="局里先登记的协议",
                      schools=[world.school_a, world.school_b])
    before = _counts()
    data = _valid(world, schools=[world.school_b.pk, world.school_a.pk], title="学校又登记一次")
    response = login("school_admin_a").post(ADD, as_post(data))
    assert response.status_code == 400
    expected = f"已登记过相同的协议（同类型、同开始日期、同签约方）：{first.title}。"
    assert response.context["form"].non_field_errors() == [expected]
    response = api_post(login("enterprise_contact"), API, data)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == [expected]
    assert _nothing_written(before)
    # Another start date, another kind or other parties is another agreement.
    for changes in ({"start": "2024-09-02"}, {"kind": "deep"}, {"schools": [world.school_a.pk]}):
        form = AgreementForm(data=as_post(_valid(world, **changes)), user=world.bureau_admin)
        assert form.is_valid(), (changes, form.errors)
        assert services.duplicate_agreement(Agreement(), form.cleaned_data) is None


def test_saving_an_agreement_is_not_a_duplicate_of_itself(world: Any, login: Any) -> None:
    obj = agreement(world, title="原协议")
    response = api_patch(login("school_admin_a"), f"{API}{obj.pk}", {"title": "改名后的协议"})
    assert response.status_code == 200, response.content
    assert Agreement._base_manager.get(pk=obj.pk).title == "改名后的协议"


def test_an_agreement_number_is_recorded_once(world: Any, login: Any) -> None:
    agreement(world, number="JZ-001")
    before = _counts()
    response = login("bureau_admin").post(ADD, as_post(_valid(world, number="JZ-001")))
    assert response.status_code == 400
    assert "number" in response.context["form"].errors
    assert _nothing_written(before)


# --- the status moves only through transitions ------------------------------------------------------------------


def test_no_form_or_api_body_sets_the_status(world: Any, login: Any) -> None:
    obj = agreement(world, signed_on=dt.date(2024, 6, 1))
    client = login("bureau_admin")
    edit = reverse("engagement:agreement_edit", args=[obj.pk])
    from tests.harness import form_data

    response = client.post(edit, as_post({**form_data(AgreementForm, obj), "status": S.IN_FORCE}))
    assert response.status_code == 302  # saved — without the status, which the form does not carry
    assert Agreement._base_manager.get(pk=obj.pk).status == S.DRAFT
    assert api_patch(client, f"{API}{obj.pk}", {"status": S.IN_FORCE}).status_code == 400
    assert api_post(client, API, _valid(world, status=S.IN_FORCE)).status_code == 400
    assert Agreement._base_manager.get(pk=obj.pk).status == S.DRAFT
    assert not StatusChange.objects.of(obj).exists()


def test_each_transition_records_actor_and_time(world: Any, login: Any) -> None:
    obj = agreement(world, signed_on=dt.date(2024, 6, 1))
    steps = [("school_admin_a", "sign", "page"), ("enterprise_contact", "start", "api"),
             ("bureau_admin", "terminate", "page")]
    for persona, name, channel in steps:
        client = login(persona)
        if channel == "page":
            response = client.post(reverse("engagement:agreement_transition", args=[obj.pk, name]),
                                   {"note": f"{name} 说明"})
            assert response.status_code == 303
        else:
            response = client.post(f"{API}{obj.pk}/transitions/{name}", json.dumps({"note": f"{name} 说明"}),
                                   content_type="application/json")
            assert response.status_code == 200
    history = list(StatusChange.objects.of(obj).order_by("created_at", "id"))
    assert [(c.transition, c.source, c.target, c.actor, c.note) for c in history] == [
        ("sign", S.DRAFT, S.SIGNED, world.school_admin_a, "sign 说明"),
        ("start", S.SIGNED, S.IN_FORCE, world.enterprise_contact, "start 说明"),
        ("terminate", S.IN_FORCE, S.TERMINATED, world.bureau_admin, "terminate 说明")]
    now = timezone.now()
    assert all(now - dt.timedelta(minutes=5) < c.created_at <= now for c in history)
    assert Agreement._base_manager.get(pk=obj.pk).status == S.TERMINATED
    # The detail page's 状态 card shows that history to whoever reads the agreement.
    page = login("school_admin_a").get(reverse("engagement:agreement_detail", args=[obj.pk])).content.decode()
    assert "terminate 说明" in page


def test_sign_is_refused_without_a_signing_date(world: Any, login: Any) -> None:
    obj = agreement(world)
    response = login("school_admin_a").post(f"{API}{obj.pk}/transitions/sign", json.dumps({"note": ""}),
                                            content_type="application/json")
    assert response.status_code == 400
    assert "签署前须填写签署日期。" in response.json()["detail"]
    assert Agreement._base_manager.get(pk=obj.pk).status == S.DRAFT
    assert not StatusChange.objects.of(obj).exists()
    # Once the date is filled in (an ordinary edit), the same transition goes through.
    assert api_patch(login("school_admin_a"), f"{API}{obj.pk}", {"signed_on": "2024-06-01"}).status_code == 200
    obj.refresh_from_db()
    obj.set_status("sign", by=world.school_admin_a)
    assert Agreement._base_manager.get(pk=obj.pk).status == S.SIGNED


# --- expiry: the system's transition, run daily -----------------------------------------------------------------


def test_expire_agreements_moves_ended_agreements_as_the_system(world: Any) -> None:
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    ended_in_force = agreement(world, status=S.IN_FORCE, end=yesterday, start=dt.date(2020, 1, 1))
    ended_signed = agreement(world, status=S.SIGNED, end=yesterday, start=dt.date(2020, 1, 2))
    untouched = {
        "ends today": agreement(world, status=S.IN_FORCE, end=today, start=dt.date(2020, 1, 3)),
        "open-ended": agreement(world, status=S.IN_FORCE, end=None, start=dt.date(2020, 1, 4)),
        "draft": agreement(world, status=S.DRAFT, end=yesterday, start=dt.date(2020, 1, 5)),
        "terminated": agreement(world, status=S.TERMINATED, end=yesterday, start=dt.date(2020, 1, 6)),
        "ends next year": agreement(world, status=S.IN_FORCE, end=today + dt.timedelta(days=365),
                                    start=dt.date(2020, 1, 7)),
    }
    before = {name: state(obj) for name, obj in untouched.items()}
    out = StringIO()
    call_command("expire_agreements", stdout=out)
    assert "已到期协议：2 份" in out.getvalue()
    for obj in (ended_in_force, ended_signed):
        assert Agreement._base_manager.get(pk=obj.pk).status == S.EXPIRED
        change = StatusChange.objects.of(obj).get()
        assert (change.transition, change.target, change.actor, change.actor_name) == (
            "expire", S.EXPIRED, None, "系统")
        assert f"{yesterday:%Y-%m-%d}" in change.note
        event = AuditEvent.objects.get(action="transition", object_type="engagement.agreement",
                                       object_id=str(obj.pk))
        assert event.actor_id is None and event.source == "command:expire_agreements"
    assert {name: state(obj) for name, obj in untouched.items()} == before
    # Idempotent: a second run finds nothing and writes nothing.
    changes = StatusChange.objects.count()
    out = StringIO()
    call_command("expire_agreements", stdout=out)
    assert "已到期协议：0 份" in out.getvalue()
    assert StatusChange.objects.count() == changes


def test_nobody_expires_an_agreement_by_hand(world: Any, login: Any) -> None:
    obj = agreement(world, status=S.IN_FORCE, end=dt.date(2020, 1, 1))
    before = state(obj)
    client = login("bureau_admin")
    response = client.post(f"{API}{obj.pk}/transitions/expire", json.dumps({"note": "手动到期"}),
                           content_type="application/json")
    assert response.status_code == 404  # a system transition is no user's route at all
    assert client.post(reverse("engagement:agreement_transition", args=[obj.pk, "expire"]),
                       {"note": "手动到期"}).status_code == 404
    page = client.get(reverse("engagement:agreement_detail", args=[obj.pk])).content.decode()
    assert "/transitions/expire/" not in page  # not offered as a button either
    assert state(obj) == before and not StatusChange.objects.of(obj).exists()


def test_expire_agreements_takes_the_day_it_runs_for(world: Any) -> None:
    obj = agreement(world, status=S.IN_FORCE, end=dt.date(2025, 6, 30))
    assert services.expire_agreements(today=dt.date(2025, 6, 30)) == 0  # the last day is still in force
    assert services.expire_agreements(today=dt.date(2025, 7, 1)) == 1
    assert Agreement._base_manager.get(pk=obj.pk).status == S.EXPIRED


def test_expiring_lists_live_agreements_ending_within_the_window(world: Any) -> None:
    today = dt.date(2025, 1, 1)
    soon = agreement(world, status=S.IN_FORCE, end=dt.date(2025, 3, 1), start=dt.date(2022, 3, 1))
    signed_soon = agreement(world, status=S.SIGNED, end=dt.date(2025, 1, 1), start=dt.date(2022, 3, 2))
    agreement(world, status=S.IN_FORCE, end=dt.date(2025, 6, 1), start=dt.date(2022, 3, 3))  # beyond 90 days
    agreement(world, status=S.IN_FORCE, end=dt.date(2024, 12, 31), start=dt.date(2022, 3, 4))  # already over
    agreement(world, status=S.DRAFT, end=dt.date(2025, 2, 1), start=dt.date(2022, 3, 5))  # not live
    agreement(world, status=S.TERMINATED, end=dt.date(2025, 2, 1), start=dt.date(2022, 3, 6))
    agreement(world, status=S.IN_FORCE, end=None, start=dt.date(2022, 3, 7))  # open-ended
    found = services.expiring(Agreement.objects.visible_to(world.bureau_admin), 90, today=today)
    assert set(found) == {soon, signed_soon}
    # A shorter horizon: only the one ending first (the window is the SQL's, stated once in services).
    assert set(services.expiring(Agreement.objects.visible_to(world.bureau_admin), 30, today=today)) == {signed_soon}
    # Scoped like any list: school B's admin is no party to these.
    assert not services.expiring(Agreement.objects.visible_to(world.school_admin_b), 90, today=today).exists()


# --- SC-03: an intern-hosting agreement shorter than 3 years warns, never blocks ----------------------------------


def _sc03(obj: Agreement) -> list[Any]:
    return [f for f in rules.check(obj) if f.rule_id == "SC-03"]


@pytest.mark.parametrize(("end", "hosts", "warned"), [
    ("2026-08-31", True, True),  # two years
    ("2027-08-31", True, False),  # three years exactly: the end day is part of the term
    ("2027-08-30", True, True),  # one day short
    (None, True, False),  # open-ended
    ("2026-08-31", False, False),  # no interns: the rule does not apply
])
def test_sc03_warns_but_the_agreement_is_saved(world: Any, login: Any, end: str | None, hosts: bool,
                                               warned: bool) -> None:
    data = _valid(world, start="2024-09-01", end=end, hosts_interns=hosts, title=f"实习协议{end}{hosts}")
    response = login("school_admin_a").post(ADD, as_post(data))
    assert response.status_code == 302, response.context["form"].errors
    obj = Agreement._base_manager.get(title=data["title"])
    findings = _sc03(obj)
    assert bool(findings) is warned
    if warned:
        assert not findings[0].blocking
        assert findings[0].message == "企业接收实习的合作协议期限一般不少于 3 年（本条依据待核实，仅作提醒）。"
    # The SQL scan agrees with the check on this very row.
    assert (obj.pk in set(rules.scan(InternHostingTerm(), Agreement._base_manager.all())
                          .values_list("pk", flat=True))) is warned


def test_the_scans_agree_with_the_checks_on_calendar_edges(world: Any) -> None:
    # 29 February, the last day of a month, end = start: the SQL of each rule says what its Python says.
    pairs = [(dt.date(2024, 2, 29), dt.date(2027, 2, 28)), (dt.date(2024, 2, 29), dt.date(2027, 3, 1)),
             (dt.date(2025, 2, 28), dt.date(2028, 2, 29)), (dt.date(2025, 3, 1), dt.date(2028, 2, 29)),
             (dt.date(2024, 1, 31), dt.date(2027, 1, 30)), (dt.date(2024, 1, 31), dt.date(2027, 1, 31)),
             (dt.date(2024, 12, 31), dt.date(2027, 12, 31)), (dt.date(2024, 12, 31), dt.date(2027, 1, 1)),
             (dt.date(2024, 5, 1), dt.date(2024, 5, 1)), (dt.date(2024, 5, 1), dt.date(2024, 4, 30)),
             (dt.date(2024, 5, 1), None), (dt.date(2020, 5, 1), dt.date(2030, 4, 30))]
    made = []
    for i, (start, end) in enumerate(pairs):
        obj = agreement(world, start=start, hosts_interns=True, title=f"边界{i}")
        Agreement._base_manager.filter(pk=obj.pk).update(end=end)  # AGR-D1 would refuse some through save
        made.append(Agreement._base_manager.get(pk=obj.pk))
    for rule in (InternHostingTerm(), EndNotBeforeStart()):
        by_check = {o.pk for o in made if any(f.rule_id == rule.id for f in rules.check(o))}
        by_scan = set(rules.scan(rule, Agreement._base_manager.filter(pk__in=[o.pk for o in made]))
                      .values_list("pk", flat=True))
        assert by_scan == by_check, rule.id
    # The pairs above that fall short of three years, the end day counted in the term: 2024-12-31 → 2027-01-01,
    # and the two of under a day.
    assert len({o.pk for o in made if _sc03(o)}) == 3


# --- renewals ---------------------------------------------------------------------------------------------------


def test_the_renewal_chain_runs_oldest_first_from_any_link(world: Any) -> None:
    first = agreement(world, title="第一期", start=dt.date(2018, 9, 1), end=dt.date(2021, 8, 31))
    second = agreement(world, title="第二期", start=dt.date(2021, 9, 1), end=dt.date(2024, 8, 31), predecessor=first)
    third = agreement(world, title="第三期", start=dt.date(2024, 9, 1), predecessor=second)
    lonely = agreement(world, title="未续签", start=dt.date(2019, 1, 1))
    for link in (first, second, third):
        assert [a.pk for a in link.chain()] == [first.pk, second.pk, third.pk]
    assert lonely.chain() == [lonely]


def test_an_agreement_is_renewed_only_once(world: Any, login: Any) -> None:
    first = agreement(world, title="被续签的协议", start=dt.date(2018, 9, 1))
    agreement(world, title="续签一", start=dt.date(2021, 9, 1), predecessor=first)
    before = _counts()
    response = login("school_admin_a").post(ADD, as_post(_valid(world, predecessor=first.pk, title="续签二")))
    assert response.status_code == 400
    assert "predecessor" in response.context["form"].errors
    assert _nothing_written(before)


def test_an_agreement_cannot_renew_itself_or_its_own_renewal(world: Any, login: Any) -> None:
    first = agreement(world, title="一期", start=dt.date(2018, 9, 1))
    second = agreement(world, title="二期", start=dt.date(2021, 9, 1), predecessor=first)
    third = agreement(world, title="三期", start=dt.date(2024, 9, 1), predecessor=second)
    client = login("school_admin_a")
    for target, renews in ((first, first), (first, third), (second, second)):
        before = state(target)
        response = api_patch(client, f"{API}{target.pk}", {"predecessor": renews.pk})
        assert response.status_code == 400, (target.title, renews.title)
        assert response.json()["errors"]["predecessor"] == ["不能续签自本协议或本协议的续签协议。"]
        assert state(target) == before
    assert [a.pk for a in third.chain()] == [first.pk, second.pk, third.pk]


def test_the_renewal_tab_lists_the_successor(world: Any, login: Any) -> None:
    first = agreement(world, title="原协议", start=dt.date(2018, 9, 1))
    agreement(world, title="续签的新协议", start=dt.date(2021, 9, 1), predecessor=first)
    page = login("enterprise_contact").get(reverse("engagement:agreement_detail", args=[first.pk]))
    assert "续签的新协议" in page.content.decode()


# --- the list's filters -----------------------------------------------------------------------------------------


def test_the_list_filters_by_either_party_and_by_mine(world: Any, login: Any) -> None:
    from chanjiao.accounts.models import Membership
    from tests.harness import listed_pks

    a1 = agreement(world, title="甲校与甲企")
    a2 = factories.AgreementFactory(schools=[world.school_b], enterprises=[world.enterprise], title="乙校与甲企")
    a3 = factories.AgreementFactory(schools=[world.school_b], enterprises=[world.enterprise_b], title="乙校与乙企")
    url = reverse("engagement:agreement_list")
    client = login("bureau_admin")
    assert listed_pks(client.get(url, {"school": world.school_b.pk})) == {a2.pk, a3.pk}
    assert listed_pks(client.get(url, {"enterprise": world.enterprise.pk})) == {a1.pk, a2.pk}
    # 仅本单位签署的: a bureau user who is also school B's admin narrows the city's list to school B's.
    Membership.objects.create(user=world.bureau_admin, role="school_admin", organisation=world.school_b)
    client = login("bureau_admin")
    assert {a1.pk, a2.pk, a3.pk} <= listed_pks(client.get(url, {"per_page": "100"}))
    assert listed_pks(client.get(url, {"mine": "true"})) == {a2.pk, a3.pk}
