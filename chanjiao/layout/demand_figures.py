"""The labour demand of job postings as Figures (issue #11 point 3): how many posts were advertised and
their monthly salary medians, each breakable down by county, education, 专业大类 and 专业类, and narrowed
by any filter of the posting list (a year, a pillar industry, a source) — each value linked to the list
that shows the same count or median. A re-listing is the same vacancy, so only first listings count.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, declare
from chanjiao.layout import ui

DIMENSIONS = ("county", "education", "major_category", "major_class")
FIRST_LISTINGS = {"first_listing": "true"}

POSTINGS, SALARY_MIN_MEDIAN, SALARY_MAX_MEDIAN = declare(
    Figure("postings", gettext_lazy("招聘岗位数（不含重复发布）"), ui.postings, FIRST_LISTINGS, dims=DIMENSIONS),
    Figure("postings_salary_min_median", gettext_lazy("招聘月薪下限中位数（元）"), ui.postings, FIRST_LISTINGS,
           dims=DIMENSIONS, median="salary_min"),
    Figure("postings_salary_max_median", gettext_lazy("招聘月薪上限中位数（元）"), ui.postings, FIRST_LISTINGS,
           dims=DIMENSIONS, median="salary_max"),
)
