from django import template

register = template.Library()


@register.filter
def errors_for(errors: dict, name: str) -> list:
    """The messages for one field or question code from an errors dict."""
    return errors.get(name, []) if errors else []
