from django.urls import path

from chanjiao.matching import views

app_name = "matching"

urlpatterns = [
    path("enterprises/", views.EnterprisesView.as_view(), name="enterprises"),  # a school and a major typed in
    path("offerings/<int:offering>/enterprises/", views.EnterprisesView.as_view(), name="offering_enterprises"),
    path("review-items/<int:item>/enterprises/", views.EnterprisesView.as_view(), name="item_enterprises"),
    path("enterprises/<int:enterprise>/offerings/", views.OfferingsView.as_view(), name="enterprise_offerings"),
]
