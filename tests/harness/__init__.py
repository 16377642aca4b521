"""The generic per-model test harness (NetBox's ``ViewTestCases`` are the model).

A model's test module declares data only::

    class TestSchoolViews(ModelHarness):
        ui = orgs_ui.schools
        api_path = "/api/orgs/schools/"
        persona = "school_admin_a"          # reads and edits the in-scope object
        creator = "bureau_admin"            # may create (None: nobody may)
        out_of_scope_visible = True         # the city-wide registry: readable, not writable

        def in_scope(self, world): ...      # a fresh object ``persona`` may read (and edit)
        def out_of_scope(self, world): ...  # an object ``persona`` may not edit (None: no such object)
        def create_data(self, world): ...   # valid form data for ``creator``
        edit_changes = {"short_name": "新简称"}
        def invalid_data(self, world): ...  # form data that must be refused

and gets anonymous, no-role, in-scope, out-of-scope, read-only (leader), invalid-form, export,
history and API tests. Tests that cannot apply (a model without API, a read-only model) are not
generated at all rather than skipped. ``HARNESS_REGISTRY`` records which models have harness tests;
``tests/test_meta.py`` fails for a registered model that has none.
"""

from tests.harness.base import HARNESS_REGISTRY, ModelHarness
from tests.harness.helpers import (
    INVALID_FORM_MESSAGE,
    LOGIN_URL,
    api_patch,
    api_post,
    as_post,
    assert_login_redirect,
    audit_events,
    form_data,
    listed_pks,
    reload,
    state,
    xlsx_rows,
)

__all__ = [
    "HARNESS_REGISTRY", "INVALID_FORM_MESSAGE", "LOGIN_URL", "ModelHarness", "api_patch", "api_post", "as_post",
    "assert_login_redirect", "audit_events", "form_data", "listed_pks", "reload", "state", "xlsx_rows",
]
