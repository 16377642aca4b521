"""Small helpers the harness checks (and hand-written view tests) share."""

from __future__ import annotations

import io
import json
from typing import Any

from django.db import models
from django.forms.models import model_to_dict
from django.test import Client

from chanjiao.core.audit import object_label, snapshot
from chanjiao.core.models import AuditEvent

LOGIN_URL = "/accounts/login/"
INVALID_FORM_MESSAGE = "提交的内容有误"


# --- helpers ---------------------------------------------------------------------------------------------------


def reload(obj: models.Model) -> models.Model | None:
    return type(obj)._base_manager.filter(pk=obj.pk).first()


def state(obj: models.Model) -> dict[str, Any] | None:
    """The stored field values of ``obj`` (None when the row is gone), to prove a refused write changed nothing."""
    fresh = reload(obj)
    return snapshot(fresh) if fresh is not None else None


def form_data(form_class: type, obj: models.Model) -> dict[str, Any]:
    """What the edit form of ``obj`` would post back unchanged."""
    data: dict[str, Any] = {}
    for name, value in model_to_dict(obj, fields=list(form_class._meta.fields)).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, models.Model):
            data[name] = value.pk
        elif isinstance(value, list):
            data[name] = [v.pk if isinstance(v, models.Model) else v for v in value]
        elif value is not None:
            data[name] = value
    return data


def as_post(data: dict[str, Any]) -> dict[str, Any]:
    """Form-encode: False is an absent checkbox, True a ticked one."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is False or value is None:
            continue
        out[key] = "on" if value is True else value
    return out


def listed_pks(response: Any) -> set[int]:
    table = response.context["table"]
    return {row.record.pk for row in table.paginated_rows}


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(LOGIN_URL), response["Location"]


def xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def api_patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(path, data=json.dumps(data), content_type="application/json")


def api_post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json")


def audit_events(obj: models.Model, action: str, actor: Any = None, pk: Any = None) -> Any:
    events = AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(pk or obj.pk), action=action)
    if actor is not None:
        events = events.filter(actor_id=actor.pk)
    return events
