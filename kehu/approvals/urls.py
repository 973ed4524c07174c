from django.urls import path

from kehu.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.approval_list_view, name="list"),
    path("<int:pk>/", views.approval_detail_view, name="detail"),
    path("<int:pk>/decide/", views.approval_decide_view, name="decide"),
    path("<int:pk>/withdraw/", views.approval_withdraw_view, name="withdraw"),
]
