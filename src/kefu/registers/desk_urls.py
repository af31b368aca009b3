from django.urls import path

from . import views as v

app_name = "registers"
urlpatterns = [
    path("", v.index, name="index"),
    path("lost-found/", v.lost_found, name="lost_found"),
    path("training/", v.training, name="training"),
    path("staff/<int:pk>/", v.person, name="person"),
    path("voice/", v.voice, name="voice"),
]
