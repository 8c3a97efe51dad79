from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "hocvuso.registry"
    label = "registry"

    def ready(self) -> None:
        from hocvuso.registry import jobs  # noqa: F401 - registers its kinds of background job
