"""What routing does when a request is filed or changes status (connected in RoutingConfig.ready)."""

from .clocks import follow_status
from .tasks import route_after_commit


def route_filed_request(sender, service_request, **kwargs) -> None:
    route_after_commit(service_request.pk)


def follow_status_change(sender, service_request, old_status, new_status, at, **kwargs) -> None:
    follow_status(service_request, old=old_status, new=new_status, at=at)
