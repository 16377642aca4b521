"""The 状态 card of a detail page: the transitions a user may take now, and their history.

``POST app:model_transition`` (``<pk>/transitions/<name>/``) runs one. The object is fetched through
``visible_to`` (out of scope → 404); the transition's ``allowed`` decides who may take it (→ 403); a
transition that does not start from the current state is a 409, one a guard blocks (or without the
note it needs) a 400 — both re-render the detail page with the Chinese reasons, nothing written.
All rules are in ``core/workflow.py`` and the model's map; this view only translates them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from chanjiao.core.types import User
from chanjiao.core.views import ModelUIView, ObjectDetailView
from chanjiao.core.workflow import FORBIDDEN, ILLEGAL, TransitionRefused, state_label, workflow_of

# The refusal kinds as HTTP answers (the API uses the same map).
REFUSAL_STATUS = {ILLEGAL: 409, FORBIDDEN: 403}


def refusal_status(exc: TransitionRefused) -> int:
    return REFUSAL_STATUS.get(exc.kind, 400)


def card_context(ui: Any, obj: Any, user: User) -> dict[str, Any] | None:
    """What the 状态 card shows ``user`` on ``obj``'s page; None for a model without a workflow."""
    from chanjiao.core.models import history_rule

    wf = workflow_of(obj)
    if wf is None:
        return None
    field = obj._meta.get_field(wf.field)
    # The history names the operators: shown to whoever may read the object's history (one rule).
    history = list(obj.status_history().select_related("content_type")[:50]) if history_rule(user, obj) else None
    return {
        "label": field.verbose_name,
        "state": getattr(obj, wf.field),
        "state_label": state_label(obj, getattr(obj, wf.field)),
        "options": [{"option": o, "url": reverse(ui.url_name("transition"), args=[obj.pk, o.name])}
                    for o in obj.transition_options(user)],
        "history": history,
    }


class ObjectTransitionView(ModelUIView):
    def post(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        obj = self.get_object(pk)
        wf = workflow_of(obj)
        transition = wf.by_name.get(name) if wf else None
        if transition is None or transition.system:
            raise Http404
        try:
            obj.set_status(name, by=request.user, note=request.POST.get("note", ""))
        except TransitionRefused as exc:
            if exc.kind == FORBIDDEN:
                raise PermissionDenied(exc.message) from None
            messages.error(request, _("未能执行“%(action)s”：%(reason)s") % {"action": transition.label,
                                                                        "reason": exc.message})
            # The page as it is (nothing changed), with the reasons, under the refusal's status code.
            page = ObjectDetailView(ui=self.ui, request=request, args=(), kwargs={"pk": pk})
            response = page.get(request, pk)
            response.status_code = refusal_status(exc)
            return response
        messages.success(request, _("已执行“%(action)s”：%(obj)s") % {"action": transition.label, "obj": obj})
        return HttpResponseRedirect(obj.get_absolute_url() or reverse(self.ui.url_name("detail"), args=[pk]),
                                    status=303)
