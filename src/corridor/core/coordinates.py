"""Where an exact site in Myanmar can be: the one bounding box every edge checks against."""

from __future__ import annotations

# Myanmar's bounding box, with a margin for border areas, in decimal degrees (WGS 84). The model
# (``situation.Incident.clean``) and the API's schemas refuse a site outside it; the demo keeps
# its made-up sites inside.
LATITUDE_RANGE = (9.0, 29.0)
LONGITUDE_RANGE = (92.0, 102.0)
