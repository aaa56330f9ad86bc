"""The one door to the staff workspace and crew mode: signed in, holding the role the page is for, and verified by
an authenticator. Every staff role may read a requester's contact, and a crew phone can be lost in the street, so
neither works on a password alone."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from staffing.access import Scope, scope_for

from .time_zones import staff_time_zone


def _guard(*, holds_role, second_factor_needed: str, api: bool, elsewhere=None):
    """A view decorator. ``holds_role(scope)`` says whether the user's roles open these pages; ``elsewhere(view,
    scope)`` may name the page to send a user without that role to instead of refusing them. Adds request.scope."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if api:
                    return JsonResponse({"errors": {"auth": [str(_("Sign in first."))]}}, status=403)
                return redirect_to_login(request.get_full_path(), reverse("staff:login"))
            scope = scope_for(request.user)
            if not holds_role(scope):
                if elsewhere and (home := elsewhere(view, scope)):
                    return redirect(home)
                raise PermissionDenied
            if not request.user.is_verified():
                if api:
                    return JsonResponse({"errors": {"auth": [str(second_factor_needed)]}}, status=403)
                return redirect("staff:two_factor")
            request.scope = scope
            with staff_time_zone(scope):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _crew_home(view, scope: Scope) -> str | None:
    # Sign-in sends everyone to the queue: a crew's home is crew mode.
    return "staff:crew" if scope.is_crew and view.__name__ == "queue" else None


def staff_only(*, api: bool = False):
    """For the staff workspace: any staff role, two factors."""
    return _guard(
        holds_role=lambda scope: scope.is_staff,
        api=api,
        elsewhere=_crew_home,
        second_factor_needed=_("Staff need two-factor authentication."),
    )


def crew_only(*, api: bool = False):
    """For crew mode: a crew role, two factors."""
    return _guard(
        holds_role=lambda scope: scope.is_crew, api=api, second_factor_needed=_("Crews need two-factor authentication.")
    )
