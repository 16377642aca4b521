"""Excel/CSV import pages (upload → validate whole file → preview errors → atomic commit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core import audit
from chanjiao.core.exports import xlsx_bytes
from chanjiao.core.imports import template_bytes
from chanjiao.core.jobs import Job
from chanjiao.core.types import Request
from chanjiao.core.views import ModelUIView, can_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("导入文件"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                  "accept": ".xlsx,.xls,.csv"}))


class ImportPermissionMixin(ModelUIView):
    """Only users who may create records of the model, or edit some of them, may import."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if self.ui.importer is None:
            raise Http404
        if not can_import(self.ui, request.user):
            raise PermissionDenied(_("您无权导入此类记录。"))
        return super().dispatch(request, *args, **kwargs)


class ObjectImportView(ImportPermissionMixin):
    def get(self, request: Request) -> HttpResponse:  # Request: reads request.htmx
        job_id = request.GET.get("job", "")
        if job_id:
            job = self._job(job_id)
            if request.GET.get("errors") == "xlsx":
                return self._error_report(job)
            template = "core/import_job.html" if request.htmx else "core/import.html"
            return render(request, template, self._context(job=job))
        return render(request, "core/import.html", self._context(form=ImportUploadForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        from chanjiao.core import tasks

        if request.POST.get("job"):
            job = self._job(request.POST["job"])
            action = request.POST.get("action")
            if job.status != Job.Status.VALIDATED:
                return render(request, "core/import.html", self._context(job=job), status=409)
            if action == "confirm":
                tasks.confirm_import(job)
            elif action == "cancel":
                tasks.cancel_import(job, request.user)
            return HttpResponseRedirect(self._job_url(job))
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "core/import.html", self._context(form=form), status=400)
        job = tasks.start_import(self.ui.importer, request.user, form.cleaned_data["file"])
        if job.background and not job.finished:
            # REL-04: accepted, running in the background; the page polls the job.
            response = render(request, "core/import.html", self._context(job=job), status=202)
            response["Location"] = self._job_url(job)
            return response
        return HttpResponseRedirect(self._job_url(job))

    def _job(self, job_id: str) -> Job:
        if not job_id.isdigit():
            raise Http404
        job: Job | None = Job.objects.visible_to(self.request.user).filter(
            pk=int(job_id), kind=Job.Kind.IMPORT, model_label=audit.object_label(self.ui.model)).first()
        if job is None:
            raise Http404
        return job

    def _job_url(self, job: Job) -> str:
        return f"{reverse(self.ui.url_name('import'))}?job={job.pk}"

    def _context(self, **extra: Any) -> dict[str, Any]:
        from chanjiao.core import tasks

        job = extra.get("job")
        if job is not None and job.status == Job.Status.VALIDATED:
            extra["preview"] = tasks.read_preview(job)
        recent = Job.objects.visible_to(self.request.user).filter(
            kind=Job.Kind.IMPORT, model_label=audit.object_label(self.ui.model))[:10]
        importer = self.ui.importer
        importer(None)  # bind the columns for the help table
        # The class itself would be called by the template engine; hand over its columns instead.
        return self.base_context(columns=importer.columns, recent_jobs=recent,
                                 template_url=reverse(self.ui.url_name("import_template")), **extra)

    def _error_report(self, job: Job) -> HttpResponse:
        rows: list[list[Any]] = [[_("行号"), _("列"), _("值"), _("原因")]]
        rows += [[e["row"], e["column"], e["value"], e["reason"]] for e in job.errors]
        response = HttpResponse(xlsx_bytes(rows, _("错误清单")), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''import-errors-{job.pk}.xlsx"
        return response


class ImportTemplateView(ImportPermissionMixin):
    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(template_bytes(self.ui.importer), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{self.ui.name}-import-template.xlsx"
        return response
