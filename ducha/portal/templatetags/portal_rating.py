"""The way from a status answer to the rating page: a signed token naming the receipt."""

from django import template

from ducha.portal.views_rating import rating_token

register = template.Library()


@register.simple_tag
def rating_link_token(receipt: str) -> str:
    return rating_token(receipt)


@register.filter
def level_count(levels: dict[str, int] | None, name: str) -> int:
    return (levels or {}).get(name, 0)
