"""Headers Django does not set by itself."""

# Pages may ask for the resident's location ("use my location"); nothing else a browser can offer is used.
PERMISSIONS_POLICY = ("geolocation=(self), camera=(), microphone=(), payment=(), usb=(), magnetometer=(), "
                      "gyroscope=(), accelerometer=(), browsing-topics=()")


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
