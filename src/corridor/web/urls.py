from django.urls import path

from corridor.web.views import (
    dashboard,
    entry,
    exchange,
    gaps,
    language,
    lists,
    members,
    organisations,
    places,
    printmap,
    upload,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("data/<slug:name>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("map/print/", printmap.map_print_page, name="map_print"),
    path("map/print.svg", printmap.map_print_svg, name="map_print_svg"),
    path("gaps/", gaps.gaps_page, name="gaps"),
    path("gaps.csv", gaps.gaps_csv, name="gaps_csv"),
    path("townships/<str:pcode>/", places.township_page, name="township"),
    path("organisations/", organisations.organisations_page, name="organisations"),
    path("organisations/<uuid:pk>/", places.organisation_page, name="organisation"),
    path("organisations/<uuid:pk>/members/", members.members_page, name="members"),
    path("join/<str:secret>/", members.join_page, name="join"),
    path("incidents/", lists.incidents_page, name="incidents"),
    path("activities/", lists.activities_page, name="activities"),
    path("enter/activity/", entry.activity_entry, name="enter_activity"),
    path("enter/figure/", entry.figure_entry, name="enter_figure"),
    path("enter/incident/", entry.incident_entry, name="enter_incident"),
    path("enter/townships/", entry.township_search, name="township_search"),
    path("enter/upload/", upload.upload_page, name="upload"),
    path("enter/upload/apply/", upload.upload_apply, name="upload_apply"),
    path("enter/upload/map/", upload.upload_map, name="upload_map"),
    path("exchange/", exchange.exchange_page, name="exchange"),
    path("language/", language.language_switch, name="language"),
]
