"""Background work on contacts. Tasks take ids, never an address or a name."""

import logging

from celery import shared_task
from django.conf import settings

from . import services
from .notifications import DeliveryFailed

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
def send_notification_task(self, notification_id: int):
    """Send one notification; on a provider failure retry with a growing delay, then give up."""
    try:
        state = services.send_notification(notification_id)
    except DeliveryFailed as exc:
        if self.request.retries >= settings.CIVIC311_NOTIFY_MAX_RETRIES:
            services.give_up_notification(notification_id)
            logger.warning("notification %s failed for good: %s", notification_id, exc)
            return "failed"
        delay = settings.CIVIC311_NOTIFY_RETRY_SECONDS * 2**self.request.retries
        logger.info("notification %s will be retried in %ss: %s", notification_id, delay, exc)
        raise self.retry(exc=exc, countdown=delay) from None
    logger.info("notification %s: %s", notification_id, state)
    return state


@shared_task
def erase_expired_contacts_task():
    """Beat: erase the contacts whose retention time after their request closed has ended."""
    return services.erase_expired_contacts()


@shared_task(acks_late=True)
def send_area_alert_confirmation_task(alert_id: int):
    """Mail the confirm link of a new area alert (the second step of the double opt-in)."""
    from .alerts import send_confirmation
    from .models import AreaAlert

    alert = (
        AreaAlert.objects.select_related("jurisdiction", "area")
        .filter(pk=alert_id, confirmed_at__isnull=True, ended_at__isnull=True)
        .first()
    )
    if alert is not None:
        send_confirmation(alert)


@shared_task
def send_area_alerts_task(service_request_id: int) -> int:
    """Mail the residents whose area alerts cover a newly filed request."""
    return services.send_area_alerts(service_request_id)


@shared_task
def end_expired_area_alerts_task() -> int:
    """Beat: end the alerts whose time ran out or that were never confirmed, erasing their addresses."""
    return services.end_expired_area_alerts()
