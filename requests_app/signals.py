"""What the request domain announces, for the apps built on it to act on.

The domain imports none of the apps above it (routing, contacts, integrations): each connects its receivers in
its AppConfig.ready(). The services send these inside the transaction of the change, so a receiver that fails
rolls the change back. A receiver writes its rows there (the SLA clock, the requester's queued message, the
outbox) and lets anything leave only on commit, through a Celery task (``delay_on_commit``): a change that rolls
back sends nothing.
"""

from django.dispatch import Signal

# Sent by submit_request once the request, its first history row and its photos are stored.
# Arguments: service_request, submission (the requests_app.services.Submission it was filed from).
request_filed = Signal()

# Sent by services.record_change, the one writer of a request's state, for every history row: a new status, a hold,
# a merge, a permit step, a note, a new priority, department or type. Arguments: service_request, old_status,
# new_status (the same when the status stayed), at, public_note (as published; "" for none), question (the public
# note asks the requester something).
status_changed = Signal()
