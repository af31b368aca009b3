"""Store-register endpoints (/api/v1/registers/...): voice-of-customer notes and their counts."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja import Status as WithStatus

from kefu.api.schema import ERRORS, Strict
from kefu.errors import Forbidden
from kefu.org.selectors import can

from . import selectors, services

API_PREFIX = "/registers"
API_TAGS = ["registers"]
router = Router()


class VoiceIn(Strict):
    text: str = Field(max_length=500, description="what the customer said, in their words")
    theme: str = Field(description="a theme of registers/data/registers.v1.json voice_themes")
    product_model: str | None = Field(None, description="a product model code, e.g. BCD-470WDPG")
    store_id: int | None = Field(None, description="needed only by staff not at one store")


class VoiceOut(Schema):
    id: int
    theme: str
    product_model: str | None
    text: str
    created_at: datetime.datetime


class VoiceCount(Schema):
    theme: str
    label: str
    model: str
    count: int


@router.post("/voice", response={201: VoiceOut, **ERRORS}, summary="Note what a customer said")
def note_voice(request, payload: VoiceIn):
    note = services.note_voice(
        actor=request.auth,
        text=payload.text,
        theme=payload.theme,
        product_model=payload.product_model,
        store=payload.store_id,
    )
    return WithStatus(
        201,
        {
            "id": note.pk,
            "theme": note.theme,
            "product_model": note.product_model.code if note.product_model else None,
            "text": note.text,
            "created_at": note.created_at,
        },
    )


@router.get(
    "/voice/counts",
    response={200: list[VoiceCount], **ERRORS},
    summary="Voice-of-customer notes counted by theme and model",
)
def voice_counts(request, days: int = 30):
    """The reader's scope, the last ``days`` days (1–366), most frequent first."""
    if not 1 <= days <= 366:
        days = 30
    if not can(request.auth, "registers.voice"):
        raise Forbidden(_("You may not do this."))
    since = timezone.now() - datetime.timedelta(days=days)
    return selectors.voice_counts(request.auth, since=since)
