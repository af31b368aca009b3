from django.contrib.auth.views import LogoutView
from django.urls import path

from . import desk_views as v

app_name = "desk"
urlpatterns = [
    path("login/", v.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="desk:login"), name="logout"),
    path("", v.queue, name="queue"),
    path("bulk/", v.queue_bulk, name="bulk"),
    path("views/", v.view_save, name="view_save"),
    path("views/<int:pk>/rename/", v.view_rename, name="view_rename"),
    path("views/<int:pk>/delete/", v.view_delete, name="view_delete"),
    path("search/", v.search, name="search"),
    path("tickets/new/", v.ticket_new, name="ticket_new"),
    path("tickets/<int:pk>/", v.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/panels/", v.ticket_panels, name="ticket_panels"),
    path("tickets/<int:pk>/timeline/", v.ticket_timeline, name="ticket_timeline"),
    path("tickets/<int:pk>/reply/", v.ticket_reply, name="reply"),
    path("tickets/<int:pk>/status/", v.ticket_status, name="status"),
    path("tickets/<int:pk>/assign/", v.ticket_assign, name="assign"),
    path("tickets/<int:pk>/escalate/", v.ticket_escalate, name="escalate"),
    path("tickets/<int:pk>/attach/", v.ticket_attach, name="attach"),
    path("tickets/<int:pk>/details/", v.ticket_details, name="details"),
    path("tickets/<int:pk>/presence/", v.ticket_presence, name="presence"),
    path("tickets/<int:pk>/purchase/", v.ticket_purchase, name="purchase"),
    path("tickets/<int:pk>/purchase/new/", v.ticket_purchase_new, name="purchase_new"),
    path("attachments/<int:pk>/", v.attachment, name="attachment"),
    path("customers/", v.customers, name="customers"),
    path("customers/<int:pk>/", v.customer_detail, name="customer"),
    path("customers/<int:pk>/export/", v.customer_export, name="customer_export"),
    path("customers/<int:pk>/erase/", v.customer_erase, name="customer_erase"),
    path(
        "customers/<int:pk>/form-of-address/",
        v.customer_form_of_address,
        name="customer_form_of_address",
    ),
    path(
        "customers/<int:pk>/requirements/",
        v.customer_requirements,
        name="customer_requirements",
    ),
    path("healthz", v.healthz, name="healthz"),
]
