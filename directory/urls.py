from django.urls import path

from directory.views import board, bulk, search

app_name = "directory"

urlpatterns = [
    path("", search.search, name="search"),
    path("staff/<int:pk>/", search.staff_detail, name="staff-detail"),
    path("departments/<int:pk>/", search.department_detail, name="department-detail"),
    path("info/<int:pk>/", search.info_detail, name="info-detail"),
    path("board/", board.board, name="board"),
    path("staff/<int:pk>/presence/", board.presence_edit, name="presence-edit"),
    path("import/", bulk.import_page, name="import"),
    path("import/<int:pk>/", bulk.import_preview_page, name="import-preview"),
    path("import/<int:pk>/confirm/", bulk.import_confirm_view, name="import-confirm"),
    path("import/<int:pk>/cancel/", bulk.import_cancel_view, name="import-cancel"),
    path("import/template/<slug:kind>.csv", bulk.import_template, name="import-template"),
    path("export/<slug:kind>.<slug:fmt>", bulk.export, name="export"),
    path("phone-list/", bulk.phone_list, name="phone-list"),
]
