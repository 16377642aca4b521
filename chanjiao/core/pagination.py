"""Paging and sorting of HTML tables from the address, clamped so that no parameter can crash a page or
lift the page-size cap (issue 6 C).

django-tables2's ``RequestConfig`` takes ``per_page`` from the address as given: ``-1`` crashed the
paginator (500) and ``100000`` rendered every row. Here only the offered sizes are honoured, any other
value falls back to the default; a page that is not a number or below 1 shows the first page, one past
the end the last page; an unknown or unsortable column is ignored. The same rules hold for the tables
on detail-page tabs, which read their own prefixed parameters.

Totals are counted exactly up to a cap (issue #8 point 3): ``COUNT(*)`` over 200,000 enterprises on
every page was the largest SQL cost of a list. ``capped_count`` counts at most ``limit`` rows; above it the
page says "共 10,000+ 条" and the API answers ``count_exact: false``. Statistics (figures, the dashboard)
never go through here: they stay exact.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django_tables2 import Table
from django_tables2.paginators import LazyPaginator
from django_tables2.utils import OrderBy

from chanjiao.core.types import Request

PAGE_SIZES = (25, 50, 100)
COUNT_CAP = 10_000  # default of settings.LIST_COUNT_CAP: rows a list total counts exactly


def count_cap() -> int:
    return int(getattr(settings, "LIST_COUNT_CAP", COUNT_CAP))


def count_limit(page: int, per_page: int) -> int | None:
    """Rows to count for ``page``: the cap, or every row up to the end of a page beyond it (so a deep page
    exists or not for certain), plus one to tell "exactly the cap" from "more". None (count everything)
    for a page so far out that the limit would not fit a 64-bit LIMIT."""
    rows = page * per_page
    return None if rows >= 2**62 else max(count_cap(), rows) + 1


def capped_count(rows: QuerySet[Any], limit: int | None) -> tuple[int, bool]:
    """(rows counted, exact): exact when fewer than ``limit`` rows match, else (``limit``, False).

    ``SELECT COUNT(*) FROM (SELECT … LIMIT n)``: the scan stops after ``limit`` matches instead of
    reading the whole table; without ORDER BY, which a count never needs."""
    if limit is None:
        return rows.count(), True
    counted = rows.order_by()[:limit].count()
    return counted, counted < limit


class CappedPaginator(LazyPaginator):  # type: ignore[misc]  # django-tables2 ships no types
    """Django's Paginator with ``count`` from :func:`capped_count`: exact up to ``count_limit``, and
    above it a lower bound with one page more than is shown (the next page exists for certain).

    A LazyPaginator only so django-tables2's ``table_page_range`` prints "…" after the last page number
    while the total is not exact (``is_last_page``); the pages themselves are Django's."""

    validate_number = Paginator.validate_number
    page = Paginator.page
    page_range = Paginator.page_range
    num_pages = Paginator.num_pages

    def __init__(self, object_list: Any, per_page: int, orphans: int = 0, allow_empty_first_page: bool = True,
                 *, wanted_page: int = 1) -> None:
        Paginator.__init__(self, object_list, per_page, orphans, allow_empty_first_page)
        self.wanted_page = max(wanted_page, 1)
        self._exact = True

    @cached_property
    def count(self) -> int:
        # django-tables2 hands the paginator its BoundRows; .data.data is the table's queryset.
        rows = getattr(getattr(self.object_list, "data", None), "data", None)
        if not isinstance(rows, QuerySet):
            return len(self.object_list)
        counted, self._exact = capped_count(rows, count_limit(self.wanted_page, self.per_page))
        return counted

    @property
    def exact(self) -> bool:
        """Whether ``count`` is the total; if not, more than ``shown_count`` rows match."""
        return self.count >= 0 and self._exact  # reading count first sets _exact

    @property
    def shown_count(self) -> int:
        """The total to print: the exact count, or the lower bound behind "N+"."""
        return self.count if self.exact else self.count - 1

    def is_last_page(self, number: int) -> bool:
        return self.exact and number == self.num_pages


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def page_size(value: str | None, sizes: tuple[int, ...] = PAGE_SIZES, default: int | None = None) -> int:
    """The requested page size if it is one of ``sizes``, else ``default`` (the first size)."""
    size = _int(value)
    return size if size in sizes else (default or sizes[0])


def valid_sort(table: Table, values: list[str]) -> list[str]:
    """The ``sort`` aliases naming an orderable column of ``table`` (each once); the rest is dropped."""
    aliases: dict[str, str] = {}  # column name -> alias: each column once, its first direction wins
    for value in values:
        for alias in value.split(","):
            alias = alias.strip()
            name = OrderBy(alias).bare if alias else ""
            if name and name in table.columns and table.columns[name].orderable:
                aliases.setdefault(name, alias)
    return list(aliases.values())


def configure_table(request: HttpRequest, table: Table, *, sizes: tuple[int, ...] = PAGE_SIZES,
                    default: int | None = None) -> Table:
    """Sort and paginate ``table`` from the request's (prefixed) ``sort``, ``page`` and ``per_page``."""
    table.request = request
    params = request.GET
    order = valid_sort(table, params.getlist(table.prefixed_order_by_field))
    if order:
        table.order_by = order
    per_page = page_size(params.get(table.prefixed_per_page_field), sizes, default)
    wanted = max(_int(params.get(table.prefixed_page_field)) or 1, 1)
    # The count reaches the wanted page (and one row past it), at least the cap: see CappedPaginator.
    table.paginate(paginator_class=CappedPaginator, per_page=per_page, page=1, wanted_page=wanted)
    # Out of range shows the nearest page; a huge number is compared, never used as an offset.
    number = min(wanted, table.paginator.num_pages)
    if number != 1:
        table.page = table.paginator.page(number)
    return table


def canonical_query(request: HttpRequest, form: forms.Form, table: Table) -> str:
    """The address a list page should show for this request: each filter with a value once, then a valid
    sort and a non-default page size — what the filter form holds, nothing repeated, nothing invalid."""
    params = request.GET
    query = QueryDict(mutable=True)
    for name, field in form.fields.items():
        # "unknown" is the yes/no filters' "all" choice: no filter, so no parameter.
        values = [v for v in params.getlist(form.add_prefix(name)) if v.strip() and v != "unknown"]
        if not values:
            continue
        if isinstance(field, forms.MultipleChoiceField):
            query.setlist(form.add_prefix(name), list(dict.fromkeys(values)))
        else:
            query[form.add_prefix(name)] = values[-1]  # the value the form itself reads
    order = valid_sort(table, params.getlist(table.prefixed_order_by_field))
    if order:
        query[table.prefixed_order_by_field] = ",".join(order)
    per_page = _int(params.get(table.prefixed_per_page_field))
    if per_page in PAGE_SIZES and per_page != PAGE_SIZES[0]:
        query[table.prefixed_per_page_field] = str(per_page)
    return query.urlencode()


def history_header(request: Request, form: forms.Form, table: Table) -> tuple[str, str]:
    """The HTMX header that sets the address of a filtered list: ``HX-Push-Url`` with the canonical address,
    or ``HX-Replace-Url`` when it is the address already shown (a search sent by both change and Enter
    would otherwise leave two identical history entries, and "back" would seem to do nothing)."""
    query = canonical_query(request, form, table)
    url = f"{request.path}?{query}" if query else request.path
    current = urlsplit(getattr(request.htmx, "current_url", None) or "")
    same = current.path == request.path and sorted(parse_qsl(current.query)) == sorted(parse_qsl(query))
    return ("HX-Replace-Url" if same else "HX-Push-Url"), url
