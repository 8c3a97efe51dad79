from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hocvuso.web"
    label = "web"
