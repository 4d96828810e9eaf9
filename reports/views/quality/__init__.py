"""Call quality views: supervisors' reviews and the month's sample
(reviews.py), the operator's own reviews (mine.py) and calibration rounds
(calibration.py)."""

from django.urls import path

from reports.views.quality import calibration, mine, reviews

urlpatterns = [
    path("reviews/", reviews.ReviewListView.as_view(), name="review-list"),
    path("reviews/sample/propose/", reviews.sample_propose_view, name="sample-propose"),
    path("reviews/new/", reviews.review_find_view, name="review-find"),
    path("reviews/new/<int:call_id>/", reviews.review_create_view, name="review-create"),
    path("reviews/<int:pk>/", reviews.review_detail_view, name="review-detail"),
    path("reviews/<int:pk>/edit/", reviews.review_edit_view, name="review-edit"),
    path("reviews/<int:pk>/decide/", reviews.review_decide_view, name="review-decide"),
    path("my/reviews/", mine.my_reviews_view, name="my-reviews"),
    path(
        "my/reviews/<int:pk>/acknowledge/",
        mine.my_review_acknowledge_view,
        name="my-review-acknowledge",
    ),
    path("my/reviews/<int:pk>/dispute/", mine.my_review_dispute_view, name="my-review-dispute"),
    path("calibration/", calibration.calibration_list_view, name="calibration-list"),
    path("calibration/new/", calibration.calibration_new_view, name="calibration-new"),
    path("calibration/<int:pk>/", calibration.calibration_detail_view, name="calibration-detail"),
    path(
        "calibration/<int:pk>/score/", calibration.calibration_score_view, name="calibration-score"
    ),
    path(
        "calibration/<int:pk>/close/", calibration.calibration_close_view, name="calibration-close"
    ),
]
