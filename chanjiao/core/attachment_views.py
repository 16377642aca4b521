"""The 附件 card of a detail page: list (GET), upload (POST), download, withdraw.

Routes come from ``ModelUI.urls()`` when the model declares ``attachments``. The parent is fetched
through ``visible_to`` (out of scope → 404); uploads and withdrawals need ``editable_by`` (→ 403);
the attachment itself through ``Attachment.objects.visible_to`` (→ 404). All rules and checks are
in ``core/attachments.py``; these views only translate them into pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chanjiao.core import attachments
from chanjiao.core.attachments import Attachment
from chanjiao.core.types import Request, User
from chanjiao.core.views import ModelUIView

CARD_TEMPLATE = "core/_attachments.html"


def card_context(ui: Any, obj: Any, user: User) -> dict[str, Any]:
    """What the 附件 card shows ``user`` on ``obj``'s page."""
    rows = list(attachments.listed(obj, user))
    can_upload = bool(ui.attachments) and attachments.may_upload(obj, user)
    return {
        "rows": [{"attachment": a, "kind": a.kind_label(),
                  "url": reverse(ui.url_name("attachment_download"), args=[obj.pk, a.pk]),
                  "withdraw_url": reverse(ui.url_name("attachment_withdraw"), args=[obj.pk, a.pk])}
                 for a in rows],
        "uses": ui.attachments or [],
        "can_upload": can_upload,
        "upload_url": reverse(ui.url_name("attachments"), args=[obj.pk]),
        "accept": ",".join(sorted({ext for use in ui.attachments or [] for ext in use.extensions})),
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
    }


class AttachmentsView(ModelUIView):
    def get(self, request: Request, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return self._card(obj)

    def post(self, request: Request, pk: int) -> HttpResponse:
        obj = self.get_object(pk)  # 404 out of scope; attach() refuses a parent the user may not edit (403)
        error = notice = ""
        try:
            saved = attachments.attach(obj, request.FILES.get("file"), request.user, request.POST.get("kind", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            notice = _("已上传：%(name)s") % {"name": saved.original_name}
        if request.htmx:
            # HTMX swaps 2xx answers only: the refusal is shown inside the card it replaces.
            return self._card(obj, error=error, notice=notice)
        if error:
            messages.error(request, _("上传失败：%(reason)s") % {"reason": error})
        else:
            messages.success(request, notice)
        return HttpResponseRedirect(obj.get_absolute_url(), status=303)

    def _card(self, obj: Any, **extra: Any) -> HttpResponse:
        return render(self.request, CARD_TEMPLATE, self.base_context(object=obj, **extra))


class AttachmentDownloadView(ModelUIView):
    def get(self, request: Request, pk: int, attachment: int) -> HttpResponseBase:
        obj = self.get_object(pk)
        found = get_object_or_404(Attachment.objects.visible_to(request.user).current().of(obj), pk=attachment)
        return attachments.download_response(found)


class AttachmentWithdrawView(ModelUIView):
    def post(self, request: Request, pk: int, attachment: int) -> HttpResponse:
        obj = self.get_object(pk)
        found = get_object_or_404(Attachment.objects.visible_to(request.user).current().of(obj), pk=attachment)
        attachments.withdraw(found, request.user)  # PermissionDenied → 403 for readers
        notice = _("已撤回附件：%(name)s") % {"name": found.original_name}
        if request.htmx:
            return render(request, CARD_TEMPLATE, self.base_context(object=obj, notice=notice))
        messages.success(request, notice)
        return HttpResponseRedirect(obj.get_absolute_url(), status=303)
