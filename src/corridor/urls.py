"""URL map. Each domain app adds its pages under its own prefix; the JSON API lives at /api/."""

from django.contrib import admin
from django.urls import include, path

from corridor.accounts.views import admin_login
from corridor.api import api

admin.site.site_header = "Corridor"
admin.site.site_title = "Corridor"

urlpatterns = [
    # Before the admin's own: the admin signs in through /accounts/ with the second factor.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("corridor.accounts.urls")),
    path("api/", api.urls),
    path("", include("corridor.web.urls")),
]
