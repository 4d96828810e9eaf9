from django.urls import path

from directory.views import board, search

app_name = "directory"

urlpatterns = [
    path("", search.search, name="search"),
    path("staff/<int:pk>/", search.staff_detail, name="staff-detail"),
    path("departments/<int:pk>/", search.department_detail, name="department-detail"),
    path("info/<int:pk>/", search.info_detail, name="info-detail"),
    path("board/", board.board, name="board"),
    path("staff/<int:pk>/presence/", board.presence_edit, name="presence-edit"),
]
