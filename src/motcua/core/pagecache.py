"""Public pages served as rendered for `MOTCUA_PUBLIC_PAGE_CACHE_SECONDS` (60 by default; 0: off).

The portal's home, catalogue and procedure pages are the same for every visitor and are what most
visitors ask for; rendering them is several queries, a Vietnamese sort and a template each time.
A rendered page is kept in Django's cache (shared by every worker, as core.figures' figures are),
keyed by its path and the query parameters named (`params`: a catalogue's field, level and page,
not a free-text search, which would make every visitor's own key). A procedure, unit or field
changed in the catalogue shows on these pages within that many seconds — what a citizen loses by
it is nothing a minute cannot wait.

Never kept or served from the cache: anything but a 200 answer to GET or HEAD, a request with
another query parameter, and any request that carries a message to show (a flashed "sent" or
"not found" must reach its reader, once). The page is marked private so that no proxy in between
keeps it past the cookies it ignores."""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def public_page_cached(*, params: tuple[str, ...] = ()):
    return lambda view: _cached(view, frozenset(params))


def _cached(view, params: frozenset):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.MOTCUA_PUBLIC_PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method not in ("GET", "HEAD")
            or not params.issuperset(request.GET)
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        # A parameter given twice is not a page anyone links to: only the last value counts.
        text = repr((request.path, sorted(request.GET.items())))
        key = "page:" + hashlib.sha256(text.encode()).hexdigest()
        found = cache.get(key)
        if found is not None:
            content, content_type = found
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
        patch_cache_control(response, private=True)
        return response

    return wrapper
