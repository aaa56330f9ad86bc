"""What routing announces, for the apps built on it (integrations) to act on; sent inside the transaction."""

from django.dispatch import Signal

# Sent once a batch of requests is routed and its decisions saved. Arguments: service_requests.
requests_routed = Signal()
