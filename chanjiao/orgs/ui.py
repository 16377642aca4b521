from django.utils.translation import gettext_lazy as _

from chanjiao.core.registry import ModelUI, register
from chanjiao.orgs import filters, forms, tables
from chanjiao.orgs.models import Department, Enterprise, School

GROUP = _("单位与职教集团")

schools = register(ModelUI(School, filters.SchoolFilterSet, tables.SchoolTable, forms.SchoolForm,
                           menu_group=GROUP, icon="school", menu_order=100))
enterprises = register(ModelUI(Enterprise, filters.EnterpriseFilterSet, tables.EnterpriseTable,
                               forms.EnterpriseForm, menu_group=GROUP, icon="building", menu_order=110))
departments = register(ModelUI(Department, filters.DepartmentFilterSet, tables.DepartmentTable,
                               forms.DepartmentForm, menu_group=GROUP, icon="building-bank", menu_order=120))
