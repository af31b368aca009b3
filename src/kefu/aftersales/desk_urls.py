from django.urls import path

from . import desk_views as v

app_name = "aftersales"
urlpatterns = [
    path("calculator/", v.calculator, name="calculator"),
    path("tickets/<int:pk>/panel/", v.ticket_panel_fragment, name="ticket_panel"),
    path("tickets/<int:pk>/orders/", v.create_order, name="create_order"),
    path("tickets/<int:pk>/visits/", v.dispatch, name="dispatch"),
    path("orders/<int:pk>/status/", v.order_status, name="order_status"),
    path("visits/", v.visits, name="visits"),
    path("visits/<int:pk>/", v.visit_detail, name="visit"),
    path("visits/<int:pk>/reschedule/", v.visit_reschedule, name="visit_reschedule"),
    path("visits/<int:pk>/cancel/", v.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/fees/", v.visit_fees, name="visit_fees"),
    path("parts/", v.parts, name="parts"),
    path("parts/moves/", v.parts_move, name="parts_move"),
    path("part-requests/<int:pk>/receive/", v.part_request_receive, name="part_request_receive"),
    path("warranty/", v.warranty, name="warranty"),
    path("outlet-jobs/", v.outlet_jobs, name="outlet_jobs"),
    path("outlet-jobs/<int:pk>/assign/", v.outlet_job_assign, name="outlet_job_assign"),
    path("claims/", v.claims, name="claims"),
    path("claims/statement.csv", v.claims_statement, name="claims_statement"),
]
