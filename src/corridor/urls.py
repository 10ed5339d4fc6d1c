"""URL map. Each domain app adds its pages under its own prefix; the JSON API lives at /api/."""

from django.contrib import admin
from django.urls import path

from corridor.api import api

admin.site.site_header = "Corridor"
admin.site.site_title = "Corridor"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
