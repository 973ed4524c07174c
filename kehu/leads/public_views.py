"""The public web form at /forms/<slug>/: no login, embeddable in other sites, rate-limited, honeypot."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kehu.core.exceptions import DomainError
from kehu.leads import services
from kehu.leads.choices import LeadChannel
from kehu.leads.forms import WebLeadForm
from kehu.leads.models import WebForm

# Other sites embed the form in an iframe: let any page frame it (the rest of Kehu stays unframeable).
FRAMEABLE_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}
RATE_WINDOW = 60  # seconds


def client_address(request: HttpRequest) -> str:
    """The visitor's address. Behind a proxy (BEHIND_PROXY), the one the proxy appended last."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def over_rate(web_form: WebForm, address: str) -> bool:
    """Count a submission from `address` to the form; True once it passes KEHU_WEB_FORM_RATE a minute."""
    key = f"kehu:web-form:{web_form.pk}:{address}"
    if cache.add(key, 1, timeout=RATE_WINDOW):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=RATE_WINDOW)
            count = 1
    return count > settings.KEHU_WEB_FORM_RATE


@csrf_exempt  # embedded in other sites, which cannot hold our CSRF cookie; only POST writes, rate-limited
@xframe_options_exempt
@csp_override(FRAMEABLE_CSP)
@require_http_methods(["GET", "HEAD", "POST"])
def web_form_view(request: HttpRequest, slug: str) -> TemplateResponse:
    web_form = get_object_or_404(WebForm, slug=slug, is_active=True)
    form = WebLeadForm(request.POST if request.method == "POST" else None)
    context = {"web_form": web_form, "form": form}
    if request.method != "POST":
        return TemplateResponse(request, "leads/web_form.html", context)
    if over_rate(web_form, client_address(request)):
        return TemplateResponse(request, "leads/web_form.html", {**context, "limited": True}, status=429)
    if form.is_bot():
        return TemplateResponse(request, "leads/web_form.html", {**context, "sent": True})
    if form.is_valid():
        data = {**form.service_data(), "source": web_form.source, "campaign": web_form.campaign}
        try:
            services.lead_capture(actor=None, data=data, channel=LeadChannel.WEB_FORM)
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            return TemplateResponse(request, "leads/web_form.html", {**context, "sent": True})
    return TemplateResponse(request, "leads/web_form.html", context)
