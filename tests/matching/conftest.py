"""The small city both the services and the pages are tested on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chanjiao.layout.models import CrosswalkStatus
from tests import factories


@pytest.fixture
def city(world: Any) -> dict[str, Any]:
    """A school of county 419901; a major of class 5101 that the published crosswalk maps onto industry 3411;
    ``fit`` (that industry, another county of the city, demand for the class, two postings) and ``near``
    (another industry, the school's county, large) — and the world's other enterprises, which fit nothing."""
    county = factories.RegionFactory(code="419901", name="测试甲区")
    other_county = factories.RegionFactory(code="419902", name="测试乙县")
    major = factories.MajorFactory(class_code="5101", class_name="测试专业类")
    industry = factories.IndustryFactory(code="3411", name="测试机械制造", section="C")
    version = factories.CrosswalkVersionFactory(status=CrosswalkStatus.PUBLISHED, published_on=dt.date(2000, 1, 1))
    factories.CrosswalkEntryFactory(version=version, class_code="5101", industry=industry)
    school = factories.SchoolFactory(region=county)
    fit = factories.EnterpriseFactory(name="对口机械有限公司", industry=industry, region=other_county)
    near = factories.EnterpriseFactory(name="邻近商贸有限公司", industry=factories.IndustryFactory(code="5211"),
                                       region=county, size="large")
    factories.DeclaredDemandFactory(enterprise=fit, class_code="5101", year=2019, headcount=12)
    for _ in range(2):
        factories.JobPostingFactory(enterprise=fit, corrected_class_code="5101")
    offering = factories.OfferingFactory(school=school, major=major)
    return {"school": school, "major": major, "fit": fit, "near": near, "offering": offering,
            "county": county, "industry": industry}
