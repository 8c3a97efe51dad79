from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "hocvuso.geo"
    label = "geo"
