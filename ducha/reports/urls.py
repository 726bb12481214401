from django.urls import path

from ducha.reports import views, views_close, views_rates

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("counts/", views.counts, name="counts"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("rates/", views_rates.rates, name="rates"),
    path("rates/shortfall/", views_rates.shortfall, name="shortfall"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/submit/", views.submit, name="submit"),
    path("<int:report_id>/return/", views.return_report, name="return"),
    path("<slug:unit_code>/<str:month_text>/edit/", views.edit, name="edit"),
    path("<slug:unit_code>/<str:month_text>/edit/<int:matter_id>/", views.save_item, name="save-item"),
    path("<slug:unit_code>/<str:month_text>/submit/", views.submit_month, name="submit-month"),
]
urlpatterns += [
    path("bulletins/", views_rates.bulletins, name="bulletins"),
    path("bulletins/issue/", views_rates.issue_bulletin, name="issue-bulletin"),
    path("bulletins/<int:bulletin_id>/render/", views_rates.render_again, name="render-bulletin"),
    path("bulletins/<int:bulletin_id>/<str:fmt>/", views_rates.download_bulletin, name="download-bulletin"),
]
urlpatterns += [
    path("closes/", views_close.closes, name="closes"),
    path("closes/close/", views_close.close_month, name="close-month"),
    path("closes/<int:year>/<int:month>/", views_close.close_detail, name="close"),
]
