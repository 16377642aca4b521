from chanjiao.orgs import ui

app_name = "orgs"

urlpatterns = [*ui.schools.urls(), *ui.enterprises.urls(), *ui.departments.urls()]
