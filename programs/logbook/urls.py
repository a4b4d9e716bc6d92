from django.urls import path

from programs.logbook import views

app_name = "runner"

urlpatterns = [
    path("screening/", views.screening_start, name="screening"),
    path("screening/<int:pk>/", views.screening_result, name="screening_result"),
]
