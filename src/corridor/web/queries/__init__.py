"""What the cross-domain pages show, computed once per request for the HTML page, its CSV and
the page API (`web/api.py`): the dashboard (`dashboard.py`) and the township and organisation
pages (`places.py`). Views in `web/views/` render these; they read through the apps' queries
and never write."""
