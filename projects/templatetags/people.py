from django import template

from .. import people

register = template.Library()


@register.filter
def display_name(user):
    """`{{ someone|display_name }}`: how that person is named on screen (see projects.people)."""
    return people.display_name(user)
