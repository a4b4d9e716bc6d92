"""The REST API by domain (content/, plans/, logbook/), each with views, serializers and
selectors; rehab/api.py registers them on the one /api/v1/ router. Shared query parsing is in
rehab/core/params.py, the error envelope and pagination in rehab/core/api.py."""
