from django.urls import path

from kehu.sales.opportunities import views
from kehu.sales.opportunities.customer_panel import customer_deals_view

app_name = "opportunities"
urlpatterns = [
    path("", views.opportunity_list_view, name="list"),
    path("board/", views.opportunity_board_view, name="board"),
    path("new/", views.opportunity_create_view, name="create"),
    path("customer/<int:customer_pk>/", customer_deals_view, name="customer"),
    path("<int:pk>/", views.opportunity_detail_view, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit_view, name="edit"),
    path("<int:pk>/move/", views.opportunity_move_view, name="move"),
    path("<int:pk>/win/", views.opportunity_win_view, name="win"),
    path("<int:pk>/lose/", views.opportunity_lose_view, name="lose"),
    path("<int:pk>/suspend/", views.opportunity_suspend_view, name="suspend"),
    path("<int:pk>/reactivate/", views.opportunity_reactivate_view, name="reactivate"),
    path("<int:pk>/terminate/", views.opportunity_terminate_view, name="terminate"),
    path("<int:pk>/transfer/", views.opportunity_transfer_view, name="transfer"),
    path("<int:pk>/team/", views.opportunity_member_add_view, name="member_add"),
    path("<int:pk>/team/<int:user_pk>/remove/", views.opportunity_member_remove_view, name="member_remove"),
]
