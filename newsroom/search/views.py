"""The search results page: any input answered with a page, never indexed by search engines."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from newsroom.news.views import PAGE_SIZE

from .query import add_snippets, read_query, search_articles


@cache_control(public=True, max_age=60)
def search_view(request: HttpRequest) -> HttpResponse:
    """The results page: never indexed by search engines, any input answered with a page."""
    query = read_query(request.GET.get("q", ""))
    results = search_articles(query.text, snippets=False).for_listing()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    add_snippets(page.object_list, query.text)
    response = render(
        request,
        "news/search.html",
        {
            "search_query": query.text,
            "query": query,
            "page_obj": page,
            "paginator": page.paginator,
            "articles": page.object_list,
            "is_paginated": page.has_other_pages(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
