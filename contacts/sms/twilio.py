"""Twilio's Programmable Messaging REST API, over the standard library's HTTP client.

Settings: CIVIC311_TWILIO_ACCOUNT_SID, CIVIC311_TWILIO_AUTH_TOKEN, CIVIC311_TWILIO_FROM, and
CIVIC311_TWILIO_API_BASE (https://api.twilio.com unless a test points it at a local server).
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from . import BaseSmsBackend, SmsError


class TwilioSmsBackend(BaseSmsBackend):
    timeout = 10

    def send(self, *, to: str, body: str) -> str:
        sid = settings.CIVIC311_TWILIO_ACCOUNT_SID
        url = f"{settings.CIVIC311_TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        credentials = base64.b64encode(f"{sid}:{settings.CIVIC311_TWILIO_AUTH_TOKEN}".encode()).decode()
        request = urllib.request.Request(
            url,
            method="POST",
            data=urllib.parse.urlencode({"To": to, "From": settings.CIVIC311_TWILIO_FROM, "Body": body}).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        # The number travels only in the POST body; errors below carry the HTTP status, never the body we sent.
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"Twilio answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Twilio unreachable ({type(exc).__name__})") from None
        except ValueError:
            raise SmsError("Twilio answered with something that is not JSON") from None
        if not answer.get("sid"):
            raise SmsError("Twilio answered without a message sid")
        return answer["sid"]
