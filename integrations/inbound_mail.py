"""django-anymail's inbound webhooks (/anymail/<provider>/inbound/) hand each message to the email intake."""

import logging

from anymail.signals import inbound
from django.dispatch import receiver

from .email_intake import receive_email

logger = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="civic311-email-intake")
def take_inbound_mail(sender, event, esp_name, **kwargs):
    result = receive_email(event.message)
    logger.info("inbound mail from %s: %s %s", esp_name, result.outcome, result.reason)
