"""Pages of the orgs app beyond the generic ones: merging duplicate enterprises."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chanjiao.core.scoping import get_scope
from chanjiao.orgs import services
from chanjiao.orgs.models import Enterprise


def may_merge(user: Any, obj: Any = None) -> bool:
    return get_scope(user).writes_all


class MergeForm(forms.Form):
    duplicate = forms.CharField(
        label=gettext_lazy("重复的企业"), max_length=200,
        help_text=gettext_lazy("输入重复企业的统一社会信用代码或完整名称。合并后它的全部关联记录转到本企业，它本身被删除。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, keep: Enterprise, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep, self.user = keep, user

    def clean_duplicate(self) -> Enterprise:
        text = self.cleaned_data["duplicate"].strip()
        matches = list(Enterprise.objects.visible_to(self.user).filter(Q(uscc=text.upper()) | Q(name=text))
                       .exclude(pk=self.keep.pk)[:2])
        if not matches:
            raise ValidationError(_("没有找到该企业（请核对统一社会信用代码或完整名称）。"))
        if len(matches) > 1:
            raise ValidationError(_("有多家企业同名，请改用统一社会信用代码。"))
        return matches[0]


class EnterpriseMergeView(View):
    """Merge a duplicate into this enterprise (bureau / secretariat only); every link is kept."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.keep = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=kwargs["pk"])
        if not may_merge(request.user):
            raise PermissionDenied(_("只有教育局或职教集团秘书处可以合并企业。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(MergeForm(keep=self.keep, user=request.user))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = MergeForm(request.POST, keep=self.keep, user=request.user)
        if not form.is_valid():
            return self._render(form, status=400)
        duplicate = form.cleaned_data["duplicate"]
        moved = services.merge_enterprises(self.keep, duplicate, request.user)
        messages.success(request, _("已将“%(dup)s”合并到本企业，转移关联记录 %(n)d 条。")
                         % {"dup": duplicate.name, "n": sum(v for k, v in moved.items() if not k.endswith(":dropped"))})
        return HttpResponseRedirect(self.keep.get_absolute_url())

    def _render(self, form: MergeForm, status: int = 200) -> HttpResponse:
        return render(self.request, "orgs/enterprise_merge.html", {"form": form, "object": self.keep}, status=status)
