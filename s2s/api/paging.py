"""Paging for the API's lists: 50 items a page, with the address of the next page."""

from django.http import HttpRequest

PAGE_SIZE = 50


def next_page_url(request: HttpRequest, page: int, count: int,
                  per_page: int = PAGE_SIZE) -> str | None:
    """Return the absolute address of the page after `page`, or None when it was the last."""
    if page * per_page >= count:
        return None
    query = request.GET.copy()
    query["page"] = str(page + 1)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
