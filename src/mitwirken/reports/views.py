"""Public pages of the Mängelmelder: map, list, the two-step report form, report pages and alerts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mitwirken.core import geo
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import parse_int
from mitwirken.core.spam import TYPED_MAIL_REFUSED, over_limit, typed_address_over_limit
from mitwirken.core.uploads import check_size, image_content_type, image_gps, serve_upload
from mitwirken.organisations.models import Organisation

from . import alerts, mapdata, routing, services
from .forms import AlertForm, LocationForm, PublicFilterForm, ReopenForm, ReportDetailsForm
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    CategoryTemplate,
    Report,
    ReportPhoto,
    ReportQuerySet,
)

PAGE_SIZE = 20


def _map_context() -> dict[str, Any]:
    """Tiles only from the operator's own server; without one the map shows the outlines of the areas."""
    areas = [
        {"type": "Feature", "geometry": organisation.boundary, "properties": {"name": organisation.name}}
        for organisation in Organisation.objects.filter(report_categories__isnull=False, boundary__isnull=False)
        .distinct().only("name", "boundary")[:50]
    ]  # fmt: skip
    return {
        "map_areas": {"type": "FeatureCollection", "features": areas},
    }  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[PublicFilterForm, ReportQuerySet]:
    form, filters = _public_filters(request)
    return form, Report.objects.filter(**filters)


def _public_filters(request: HttpRequest) -> tuple[PublicFilterForm, dict[str, Any]]:
    """The public filter as lookups on status, category_id and organisation_id, which the map's pre-counted
    grid (MapCell) has as well; always within the public statuses."""
    form = PublicFilterForm(request.GET or None)
    filters: dict[str, Any] = {"status__in": PUBLIC_STATUSES}
    if form.is_valid():
        data = form.cleaned_data
        if data.get("category"):
            filters["category_id"] = data["category"].pk
        if data.get("organisation"):
            filters["organisation_id"] = data["organisation"].pk
        status = data.get("status")
        if status == "open":
            filters["status__in"] = OPEN_STATUSES
        elif status == "closed":
            filters["status__in"] = CLOSED_STATUSES
        elif status:
            filters["status__in"] = [status]
    return form, filters


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form, reports = _filtered(request)
    latest = reports.for_list().order_by("-created_at")[:8]
    return render(request, "reports/index.html", {"form": form, "latest": latest, **_map_context(),
                                                  "query": request.GET.urlencode()})  # fmt: skip


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    form, reports = _filtered(request)
    page = Paginator(reports.for_list().order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "reports/list.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
def map_data(request: HttpRequest) -> HttpResponse:
    """Clusters for the visible box: the answer's size depends on the box and zoom, not on the number of reports."""
    try:
        west, south, east, north = (float(part) for part in request.GET.get("bbox", "").split(","))
        zoom = parse_int(request.GET.get("zoom"), default=12, minimum=0, maximum=mapdata.MAX_ZOOM)
        if zoom is None:
            raise ValueError(zoom)
    except ValueError:
        return JsonResponse({"error": _("bbox=West,Süd,Ost,Nord und zoom (0–19) sind erforderlich.")}, status=400)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90 and 0 <= zoom <= mapdata.MAX_ZOOM):
        return JsonResponse({"error": _("bbox oder zoom liegen außerhalb des gültigen Bereichs.")}, status=400)
    form, filters = _public_filters(request)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    key = "|".join(
        f"{name}={getattr(cleaned.get(name), 'pk', cleaned.get(name) or '')}"
        for name in ("category", "organisation", "status")
    )
    data = mapdata.clusters(filters, west=west, south=south, east=east, north=north, zoom=zoom, cache_key=key)
    response = JsonResponse(data)
    response["Cache-Control"] = f"public, max-age={mapdata.CACHE_SECONDS}"
    return response


def _location(form: LocationForm) -> tuple[float, float] | None:
    """Coordinates from the map or typed in, else from the gazetteer, else from the photo's GPS."""
    data = form.cleaned_data
    if data.get("lon") is not None and data.get("lat") is not None:
        return data["lon"], data["lat"]
    if data.get("lon") is not None or data.get("lat") is not None:
        form.add_error("lat" if data.get("lat") is None else "lon", _("Bitte geben Sie Breite und Länge an."))
        return None
    if data.get("address"):
        try:
            lat, lon = geo.locate(data["address"])  # the address register, a remote geocoder, the gazetteer
        except ValidationError as error:
            if error.code == "ambiguous_address":
                form.add_error("address", error)
                return None
            try:  # the gazetteer says why it does not know the text (unknown, or several places)
                place = services.geocode(data["address"])
            except ValidationError as gazetteer_error:
                add_service_errors(form, gazetteer_error)
                return None
            return place.lon, place.lat
        return lon, lat
    photo = data.get("location_photo")
    if photo:
        try:
            check_size(photo, settings.MITWIRKEN_MAX_IMAGE_BYTES)
        except ValidationError as error:
            form.add_error("location_photo", error)
            return None
        position = image_gps(photo)
        if position is None:
            form.add_error("location_photo", _("Dieses Foto enthält keine Ortsangabe. Bitte geben Sie den Ort an."))
        return position
    form.add_error("address", _("Bitte geben Sie den Ort an: auf der Karte, als Adresse oder als Koordinaten."))
    return None


def report_start(request: HttpRequest) -> HttpResponse:
    """Step 1, where and what. Posting (not GET) so that a photo's GPS can be read on the server."""
    initial: dict[str, Any] = {key: request.GET[key] for key in ("lat", "lon", "address") if key in request.GET}
    if "category" in request.GET:
        initial["category"] = CategoryTemplate.objects.filter(code=request.GET["category"]).first()
    form = LocationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        position = _location(form)
        if position is not None:
            try:
                routing.route(lon=position[0], lat=position[1], category=form.cleaned_data["category"])
            except ValidationError as error:
                field = "address" if form.cleaned_data.get("address") else "lat"
                for messages_ in error.message_dict.values():
                    form.add_error(field if "location" in error.message_dict else "category", messages_)
            else:
                params = {"lon": f"{position[0]:.6f}", "lat": f"{position[1]:.6f}",
                          "category": form.cleaned_data["category"].code, "address": form.cleaned_data.get("address", "")}  # fmt: skip
                return redirect(f"{reverse('reports:details')}?{urlencode(params)}")
    return render(request, "reports/start.html", {"form": form, **_map_context()})


def report_details(request: HttpRequest) -> HttpResponse:
    """Step 2: who will get it, similar reports nearby, then the description and photos."""
    category = CategoryTemplate.objects.filter(code=request.GET.get("category", "")).first()
    try:
        lon, lat = services.check_position(request.GET.get("lon"), request.GET.get("lat"))
        if category is None:
            raise ValidationError(_("Bitte wählen Sie eine Kategorie."))
        route = routing.route(lon=lon, lat=lat, category=category)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:start")
    address = request.GET.get("address", "")[:300]
    anonymous = not request.user.is_authenticated
    form = ReportDetailsForm(request.POST or None, request.FILES or None, handler=route.handler, anonymous=anonymous,
                             user=request.user, prefix="report")  # fmt: skip
    if request.method == "POST" and over_limit(request, "reports.create", per_user="10/m", per_ip="20/m"):
        form.is_valid()
        form.add_error(
            None, _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Meldungen. Bitte warten Sie eine Minute.")
        )
    elif (
        request.method == "POST"
        and form.is_valid()
        and anonymous
        and typed_address_over_limit(request, "reports.confirm", form.cleaned_data.get("email", ""))
    ):
        form.add_error(None, TYPED_MAIL_REFUSED)
    elif request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                category=category, lon=lon, lat=lat, address=address, description=form.cleaned_data["description"],
                attributes=form.attributes(), photos=form.cleaned_data["photos"], user=request.user,
                email=form.cleaned_data.get("email", ""), name=form.cleaned_data["name"],
                publish_name=form.cleaned_data["publish_name"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, _prefixed_errors(error))
        else:
            if report.status == "unconfirmed":
                request.session["reports_sent_to"] = report.email
                return redirect("reports:sent")
            messages.success(
                request, _("Vielen Dank! Ihre Meldung #%(number)d ist eingegangen.") % {"number": report.pk}
            )
            return redirect(report)
    nearby = services.nearby_open_reports(category=category, lon=lon, lat=lat)
    return render(request, "reports/details.html", {
        "form": form, "category": category, "organisation": route.organisation, "lon": lon, "lat": lat,
        "address": address, "nearby": nearby, "change_url": f"{reverse('reports:start')}?{request.GET.urlencode()}",
    })  # fmt: skip


def _prefixed_errors(error: ValidationError) -> ValidationError:
    """Service errors name fields without the form prefix; errors on the location go above the form."""
    if not hasattr(error, "error_dict"):
        return error
    fields = {"description", "photos", "email", "name"}
    return ValidationError({(key if key in fields else "__all__"): value for key, value in error.error_dict.items()})


def report_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/sent.html", {"email": request.session.get("reports_sent_to", "")})


@require_GET
def place_suggestions(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q") or request.GET.get("address", "")
    places = services.places_matching(query[:100]) if len(query) >= 2 else []
    return render(request, "reports/_place_options.html", {"places": places})


def report_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A GET only shows the button: mail scanners that follow links must not confirm anything."""
    report = get_object_or_404(Report.objects.select_related("category", "organisation"), confirm_token=token)
    if request.method == "POST":
        services.report_confirm(token=token)
        messages.success(
            request, _("Vielen Dank! Ihre Meldung #%(number)d ist bestätigt und eingegangen.") % {"number": report.pk}
        )
        return redirect(report)
    if report.status != "unconfirmed":
        return redirect(report)
    return render(request, "reports/confirm.html", {"report": report})


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.public().select_related("category", "organisation", "duplicate_of"), pk=pk
    )
    updates = report.updates.select_related("organisation")
    supported = (
        request.user.is_authenticated and report.supporters.filter(user=request.user).exists()  # type: ignore[misc]
    )
    can_handle = request.user.has_perm("reports.handle_reports", report.organisation)
    can_review = rules.has_perm("reports.review_report", request.user, report)  # the reporter only, not superusers
    return render(request, "reports/detail.html", {"report": report, "photos": report.photos.all(), "updates": updates,
                                                   "supported": supported, "can_handle": can_handle,
                                                   "can_review": can_review})  # fmt: skip


@require_GET
def photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    """Photos of public reports for everybody; hidden ones only for the responsible staff."""
    item = get_object_or_404(ReportPhoto.objects.select_related("report__organisation"), report_id=pk, pk=photo_pk)
    report = item.report
    staff = request.user.has_perm("reports.handle_reports", report.organisation)
    if not staff and (report.status not in PUBLIC_STATUSES or report.hidden or item.hidden):
        raise Http404
    name = item.image.name.rsplit("/", 1)[-1]
    return serve_upload(item.image, image_content_type(name), download_name=name, inline=True)


@require_POST
@login_required
def report_support(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.public(), pk=pk)
    try:
        created = services.report_support(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(request, _("Danke! Sie unterstützen diese Meldung und erfahren von jeder Änderung."))
        else:
            messages.info(request, _("Sie unterstützen diese Meldung bereits."))
    return redirect(report)


def followup(request: HttpRequest, token: str) -> HttpResponse:
    """The follow-up mail's link: the same answers as "Ist es behoben?" in Mein Bereich, authorised by the token."""
    report = get_object_or_404(Report.objects.select_related("category"), confirm_token=token)
    form = ReopenForm(request.POST or None)
    form.fields["reason"].required = False  # the link's "Nein" alone is enough
    form.fields["reason"].label = _("Falls nicht: Was ist noch nicht behoben? (freiwillig)")
    if request.method == "POST" and form.is_valid():
        fixed = request.POST.get("fixed") == "yes"
        try:
            services.followup_answer(token=token, fixed=fixed, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Danke für Ihre Rückmeldung!") if fixed else
                             _("Danke! Die Meldung ist wieder offen und liegt erneut bei der zuständigen Stelle."))  # fmt: skip
            return redirect(report)
    return render(request, "reports/followup.html", {"report": report, "form": form})


def _next(request: HttpRequest) -> str:
    """Where the reporter came from (Mein Bereich or the report page); never another site."""
    target = request.POST.get("next") or request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and allowed else ""


def _back(request: HttpRequest, report: Report) -> HttpResponse:
    return redirect(_next(request) or report.get_absolute_url())


def _own_report(request: HttpRequest, pk: int) -> Report:
    """The reporter's own report; another person's is refused (403), an unknown or unconfirmed one is 404."""
    report = get_object_or_404(Report.objects.public().select_related("category", "organisation"), pk=pk)
    if not rules.has_perm("reports.review_report", request.user, report):  # superusers too: it is not theirs
        raise PermissionDenied
    return report


@require_POST
@login_required
def report_confirm_fixed(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ist es behoben?" – "Ja": the reporter confirms a report marked "erledigt"."""
    report = _own_report(request, pk)
    try:
        services.report_confirm_fixed(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Danke! Sie haben bestätigt, dass das Problem behoben ist."))
    return _back(request, report)


@login_required
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ist es behoben?" – "Nein": a short reason, then the report is open again. GET only shows the form."""
    report = _own_report(request, pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_reopen(user=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Die Meldung ist wieder offen und liegt erneut bei der zuständigen Stelle. Danke!")
            )
            return _back(request, report)
    return render(request, "reports/reopen.html", {"report": report, "form": form, "next": _next(request)})


def alert_subscribe(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {key: request.GET[key] for key in ("lat", "lon") if key in request.GET}
    if initial:
        initial["area"] = "radius"
    form = AlertForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if typed_address_over_limit(request, "reports.alert", data["email"]):
            form.add_error(None, TYPED_MAIL_REFUSED)
            return render(request, "reports/alert_form.html", {"form": form})
        try:
            if data["area"] == "organisation":
                alerts.alert_subscribe(
                    email=data["email"], frequency=data["frequency"], organisation=data["organisation"]
                )
            else:
                alerts.alert_subscribe(email=data["email"], frequency=data["frequency"], lon=data["lon"], lat=data["lat"],
                                       radius_m=data["radius_m"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, _location_errors_on(error, "lat"))
        else:
            return render(request, "reports/alert_sent.html", {"email": data["email"]})
    return render(request, "reports/alert_form.html", {"form": form})


def _location_errors_on(error: ValidationError, field: str) -> ValidationError:
    if hasattr(error, "error_dict") and "location" in error.error_dict:
        return ValidationError({field: error.error_dict["location"]})
    return error


def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    from .models import AreaAlert

    alert = get_object_or_404(AreaAlert, token=token)
    if request.method == "POST":
        alert = alerts.alert_confirm(token=token)
        return render(request, "reports/alert_done.html", {"alert": alert, "confirmed": True})
    return render(request, "reports/alert_confirm.html", {"alert": alert})


@csrf_exempt  # mail clients send RFC 8058 one-click POSTs without a CSRF token; the secret token authorises
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click unsubscribes. A page offers to undo it, in case a mail scanner followed the link."""
    try:
        resubscribe = request.method == "POST" and request.POST.get("action") == "resubscribe"
        alert = alerts.alert_set_active(token=token, active=resubscribe)
    except ValidationError:
        raise Http404 from None
    return render(request, "reports/alert_done.html", {"alert": alert, "unsubscribed": not resubscribe})
