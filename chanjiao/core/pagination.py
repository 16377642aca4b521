"""Paging and sorting of HTML tables from the address, clamped so that no parameter can crash a page or
lift the page-size cap (issue 6 C).

django-tables2's ``RequestConfig`` takes ``per_page`` from the address as given: ``-1`` crashed the
paginator (500) and ``100000`` rendered every row. Here only the offered sizes are honoured, any other
value falls back to the default; a page that is not a number or below 1 shows the first page, one past
the end the last page; an unknown or unsortable column is ignored. The same rules hold for the tables
on detail-page tabs, which read their own prefixed parameters.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django import forms
from django.http import HttpRequest, QueryDict
from django_tables2 import Table
from django_tables2.utils import OrderBy

from chanjiao.core.types import Request

PAGE_SIZES = (25, 50, 100)


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
    table.paginate(per_page=per_page, page=1)
    number = _int(params.get(table.prefixed_page_field)) or 1
    # Out of range shows the nearest page; a huge number is compared, never used as an offset.
    number = min(max(number, 1), table.paginator.num_pages)
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
