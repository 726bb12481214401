from django.urls import path

from ducha.approvals import views_catalogue as views
from ducha.approvals import views_catalogue_edit as edit

# Under /approvals/catalogue/, in the namespace ``approvals``.
urlpatterns = [
    path("", views.catalogue_list, name="catalogue-list"),
    path("new/", edit.catalogue_new, name="catalogue-new"),
    path("departments/<int:unit_id>/", views.power_list_page, name="catalogue-power"),
    path("<str:code>/", views.catalogue_item, name="catalogue-item"),
    path("<str:code>/versions/", views.catalogue_versions, name="catalogue-versions"),
    path("<str:code>/draft/", edit.catalogue_edit, name="catalogue-edit"),
    path("<str:code>/versions/<int:number>/publish/", edit.catalogue_publish, name="catalogue-publish"),
    path("<str:code>/versions/<int:number>/withdraw/", edit.catalogue_withdraw, name="catalogue-withdraw"),
]
