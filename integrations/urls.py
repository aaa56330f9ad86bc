"""Inbound mail webhooks under /anymail/<provider>/inbound/, as django-anymail names them: the providers that
authenticate with ANYMAIL_WEBHOOK_SECRET (basic auth), and Mailgun once its signing key is set."""

from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.urls import path, re_path

app_name = "inbound_mail"
urlpatterns = []
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns += [
        path("mailjet/inbound/", MailjetInboundWebhookView.as_view(), name="mailjet"),
        path("postmark/inbound/", PostmarkInboundWebhookView.as_view(), name="postmark"),
        path("sendgrid/inbound/", SendGridInboundWebhookView.as_view(), name="sendgrid"),
        path("sparkpost/inbound/", SparkPostInboundWebhookView.as_view(), name="sparkpost"),
    ]
if settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
    # Mailgun posts parsed fields or the raw message, by which URL it was given.
    urlpatterns.append(re_path(r"^mailgun/inbound(_mime)?/$", MailgunInboundWebhookView.as_view(), name="mailgun"))
