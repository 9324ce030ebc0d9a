"""Security headers for the public pages, beyond what Django's SecurityMiddleware sets.

The public site needs no script, no frame and nothing from other origins, so its Content
Security Policy forbids all of that: even if some user-written text ever slipped through
unescaped, a browser would not run it. The admin (and its own scripts) is left alone.
"""

PUBLIC_NAMESPACE = "public"

PUBLIC_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class PublicSecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace == PUBLIC_NAMESPACE:
            for name, value in PUBLIC_HEADERS.items():
                response.headers.setdefault(name, value)
        return response
