from django import template

from kehu.customers import display
from kehu.customers.validators import display_phone

register = template.Library()

register.filter("phone", display_phone)
register.simple_tag(display.activity_sentence)
register.simple_tag(display.activity_changes)
