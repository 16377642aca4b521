from chanjiao.catalog import ui

app_name = "catalog"

urlpatterns = [*ui.majors.urls(), *ui.industries.urls(), *ui.occupations.urls(), *ui.regions.urls()]
