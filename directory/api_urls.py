from django.urls import path

from directory.views import search

app_name = "directory-api"

urlpatterns = [
    path("search", search.api_search, name="search"),
]
