"""The Open311 GeoReport v2 format, shared by the edges that speak it: the Open311 API (``open311/``) and
the integrations' webhooks and Open311 client (``integrations/``). GeoReport names appear here and there only."""
