from django.urls import path

from corridor.web.views import (
    dashboard,
    entry,
    exchange,
    gaps,
    language,
    lists,
    organisations,
    places,
    records,
    upload,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("data/<slug:name>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("gaps/", gaps.gaps_page, name="gaps"),
    path("gaps.csv", gaps.gaps_csv, name="gaps_csv"),
    path("townships/<str:pcode>/", places.township_page, name="township"),
    path("organisations/", organisations.organisations_page, name="organisations"),
    path("organisations/<uuid:pk>/", places.organisation_page, name="organisation"),
    path("incidents/", lists.incidents_page, name="incidents"),
    path("activities/", lists.activities_page, name="activities"),
    path("activities/status/", lists.activities_status, name="activities_status"),
    # Correcting a record: its page (with history), edit, soft removal and restore.
    path("activities/<uuid:pk>/", records.activity_page, name="activity"),
    path("activities/<uuid:pk>/edit/", records.activity_edit, name="activity_edit"),
    path("activities/<uuid:pk>/remove/", records.activity_remove_page, name="activity_remove"),
    path("activities/<uuid:pk>/restore/", records.activity_restore_page, name="activity_restore"),
    path("incidents/<uuid:pk>/", records.incident_page, name="incident"),
    path("incidents/<uuid:pk>/edit/", records.incident_edit, name="incident_edit"),
    path("incidents/<uuid:pk>/remove/", records.incident_remove_page, name="incident_remove"),
    path("incidents/<uuid:pk>/restore/", records.incident_restore_page, name="incident_restore"),
    path("figures/<uuid:pk>/", records.figure_page, name="figure"),
    path("figures/<uuid:pk>/edit/", records.figure_edit, name="figure_edit"),
    path("figures/<uuid:pk>/remove/", records.figure_remove_page, name="figure_remove"),
    path("figures/<uuid:pk>/restore/", records.figure_restore_page, name="figure_restore"),
    path("enter/activity/", entry.activity_entry, name="enter_activity"),
    path("enter/figure/", entry.figure_entry, name="enter_figure"),
    path("enter/incident/", entry.incident_entry, name="enter_incident"),
    path("enter/townships/", entry.township_search, name="township_search"),
    path("enter/upload/", upload.upload_page, name="upload"),
    path("enter/upload/apply/", upload.upload_apply, name="upload_apply"),
    path("exchange/", exchange.exchange_page, name="exchange"),
    path("language/", language.language_switch, name="language"),
]
