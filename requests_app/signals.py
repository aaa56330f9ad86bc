"""What the request domain announces, for the apps built on it to act on.

The domain imports none of the apps above it (routing, contacts, integrations): each connects its receivers in
its AppConfig.ready(). The services send these inside the transaction of the change, so a receiver that fails
rolls the change back, and whatever a receiver queues leaves on commit.
"""

from django.dispatch import Signal

# Sent by submit_request once the request, its first history row and its photos are stored.
# Arguments: service_request, submission (the requests_app.services.Submission it was filed from).
request_filed = Signal()

# Sent by change_status once the new status and its history row are saved. Arguments: service_request,
# old_status, new_status (the same when only a note was added), at, public_note (as published; "" for none).
status_changed = Signal()
