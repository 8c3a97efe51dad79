from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hocvuso.accounts"
    label = "accounts"

    def ready(self) -> None:
        from hocvuso.accounts import signals

        signals.connect()
