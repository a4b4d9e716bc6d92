from django.urls import path

from programs.content import views

app_name = "content"

urlpatterns = [
    path("exercises/<slug:slug>/figure.svg", views.exercise_figure, name="figure"),
]
