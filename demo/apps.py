from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city loader (``manage.py load_demo``): it files requests through the domain like any channel."""

    name = "demo"
