from django.urls import path

from . import views as v

app_name = "quality"
urlpatterns = [
    path("", v.home, name="home"),
    path("tickets/<int:pk>/check/", v.check, name="check"),
    path("tickets/<int:pk>/guide/step/", v.guide_step, name="guide_step"),
    path("tickets/<int:pk>/guide/root-cause/", v.guide_root_cause, name="guide_root_cause"),
    path("tickets/<int:pk>/guide/summary/", v.guide_summary, name="guide_summary"),
    path("tickets/<int:pk>/review/", v.review, name="review"),
    path("queue/", v.queue, name="queue"),
    path("queue/draw/", v.draw, name="draw"),
    path("reviews/<int:pk>/", v.review_detail, name="review_detail"),
    path("summary/", v.summary, name="summary"),
    path("self-assessment/", v.self_assessment, name="self_assessment"),
    path("team/", v.team, name="team"),
    path("team/<int:staff_id>/", v.person, name="person"),
]
