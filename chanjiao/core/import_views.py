"""Excel/CSV import pages (upload → validate whole file → preview errors → atomic commit)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from chanjiao.core.views import ModelUIView


class ObjectImportView(ModelUIView):
    def get(self, request: HttpRequest) -> HttpResponse:
        raise Http404


class ImportTemplateView(ModelUIView):
    def get(self, request: HttpRequest) -> HttpResponse:
        raise Http404
