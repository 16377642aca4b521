from django.apps import AppConfig


class MatchingConfig(AppConfig):
    """Partner recommendations with reasons (issue #11 point 5): services only, no models. It reads every
    app below it and nothing imports it."""

    name = "chanjiao.matching"
    label = "matching"
    # A plain string: the app has no pages, so nothing of it is shown in the menu or translated.
    verbose_name = "伙伴推荐"
