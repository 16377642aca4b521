"""Harness tests for the reference code tables: public to signed-in users, written by nobody.

(They live here because tests/catalog/ belongs to the catalog loader's tests.)
"""

from __future__ import annotations

from typing import Any

from chanjiao.catalog import ui
from tests import factories
from tests.harness import ModelHarness


class _CatalogHarness(ModelHarness):
    persona = "school_admin_a"
    has_out_of_scope = False  # every signed-in user reads every code
    persona_reads_history = False  # reads the codes, edits none: no history (history_rule)

    def marker(self, obj: Any) -> str:
        return obj.name


class TestMajorViews(_CatalogHarness):
    ui = ui.majors
    api_path = "/api/catalog/majors/"

    def in_scope(self, world: Any) -> Any:
        return factories.MajorFactory(code="510201", name="计算机应用技术")


class TestIndustryViews(_CatalogHarness):
    ui = ui.industries
    api_path = "/api/catalog/industries/"

    def in_scope(self, world: Any) -> Any:
        return factories.IndustryFactory(code="3311", name="金属结构制造")


class TestOccupationViews(_CatalogHarness):
    ui = ui.occupations
    api_path = "/api/catalog/occupations/"

    def in_scope(self, world: Any) -> Any:
        return factories.OccupationFactory(code="6-18-01-01", name="车工")


class TestRegionViews(_CatalogHarness):
    ui = ui.regions
    api_path = "/api/catalog/regions/"

    def in_scope(self, world: Any) -> Any:
        return factories.RegionFactory(code="410102", name="中原区")
