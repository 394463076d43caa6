from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from .v1.api import api


def _token_authenticated(patterns):
    """The API authenticates by token, not by session: exempt its views from the login redirect."""
    for p in patterns:
        if hasattr(p, "url_patterns"):
            _token_authenticated(p.url_patterns)
        else:
            p.callback = login_not_required(p.callback)
    return patterns


# Not named `app_name`: Django would read that as this module's own namespace.
_v1_patterns, _v1_app, _v1_namespace = api.urls
urlpatterns = [path("v1/", include((_token_authenticated(_v1_patterns), _v1_app), namespace=_v1_namespace))]
