from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "hocvuso.registry"
    label = "registry"
