"""我的任务: the owner's jobs, a job's page with its progress bar, the result download, 取消任务.

Every view fetches through ``Job.objects.visible_to`` (the owner only): another user's job is a 404,
never a 403, so its existence is not revealed. The rules are in core/jobs.py and the workflow map;
these views only translate them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from chanjiao.core import jobs
from chanjiao.core.jobs import Job
from chanjiao.core.types import Request
from chanjiao.core.workflow import FORBIDDEN, ILLEGAL, TransitionRefused

LIST_LIMIT = 100  # the newest jobs shown; older ones are history nobody browses


def _job(request: HttpRequest, pk: int) -> Job:
    job: Job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    return job


class JobListView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = list(Job.objects.visible_to(request.user)[:LIST_LIMIT])
        return render(request, "core/job_list.html", {"jobs": rows, "limit": LIST_LIMIT})


class JobDetailView(View):
    def get(self, request: Request, pk: int) -> HttpResponse:  # Request: reads request.htmx
        job = _job(request, pk)
        context = {"job": job, "options": job.transition_options(request.user)}
        # The progress bar polls this address; the fragment stops polling once the job is finished.
        template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
        return render(request, template, context)


class JobDownloadView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job = _job(request, pk)
        if not job.has_result or not jobs.storage().exists(job.result_file):
            raise Http404
        return jobs.download_response(job)


class JobTransitionView(View):
    """``POST core:job_transition``: the owner's 取消任务 (the only user transition of the map)."""

    def post(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        from chanjiao.core import tasks

        job = _job(request, pk)
        transition = Job.workflow.by_name.get(name)
        if transition is None or transition.system:
            raise Http404
        try:
            note = request.POST.get("note", "")
            if name == "cancel" and job.kind == Job.Kind.IMPORT:
                tasks.cancel_import(job, request.user, note)  # the upload is deleted with it
            else:
                job.set_status(name, by=request.user, note=note)
        except TransitionRefused as exc:
            if exc.kind == FORBIDDEN:
                raise PermissionDenied(exc.message) from None
            messages.error(request, _("未能执行“%(action)s”：%(reason)s") % {"action": transition.label,
                                                                        "reason": exc.message})
            job.refresh_from_db()
            response = render(request, "core/job_detail.html",
                              {"job": job, "options": job.transition_options(request.user)})
            response.status_code = 409 if exc.kind == ILLEGAL else 400
            return response
        messages.success(request, _("已执行“%(action)s”：%(obj)s") % {"action": transition.label,
                                                                  "obj": job.display_title})
        return HttpResponseRedirect(job.get_absolute_url(), status=303)
