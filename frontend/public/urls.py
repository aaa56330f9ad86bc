from django.urls import path

from . import feeds, views

app_name = "public"

urlpatterns = [
    path("map/<str:slug>/", views.map_page, name="map"),
    path("map/<str:slug>/tiles/<int:z>/<int:x>/<int:y>.mvt", views.map_vector_tile, name="map-vector-tile"),
    path("map/<str:slug>/cards/<str:public_id>.json", views.map_card, name="map-card"),
    path("map/<str:slug>/list.json", views.map_list, name="map-list"),
    path("map/<str:slug>/areas.geojson", views.map_areas, name="map-areas"),
    path("stats/<str:slug>/", views.stats_page, name="stats"),
    path("stats/<str:slug>/<slug:key>.csv", views.stats_csv, name="stats-csv"),
    path("open-data/<str:slug>/", views.data_dictionary, name="open-data"),
    path("open-data/<str:slug>/requests.csv", views.export_csv, name="export-csv"),
    path("open-data/<str:slug>/requests.geojson", views.export_geojson, name="export-geojson"),
    path("feeds/<str:slug>/areas/<int:area_id>/rss/", feeds.AreaFeed(), name="feed-area-rss"),
    path("feeds/<str:slug>/areas/<int:area_id>/atom/", feeds.AreaAtomFeed(), name="feed-area-atom"),
    path("feeds/<str:slug>/types/<str:code>/rss/", feeds.ServiceTypeFeed(), name="feed-type-rss"),
    path("feeds/<str:slug>/types/<str:code>/atom/", feeds.ServiceTypeAtomFeed(), name="feed-type-atom"),
]
