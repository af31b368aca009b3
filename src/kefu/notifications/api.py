"""Notification endpoints: the caller's own notifications and marking them read."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema

from kefu.api.schema import ERRORS, Strict

from . import selectors, services

router = Router()
API_PREFIX = "/notifications"
API_TAGS = ["notifications"]


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    ticket_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(Schema):
    items: list[NotificationOut]
    unread: int


class ReadIn(Strict):
    # Bounded to the database's 64-bit ids: SQLite cannot even compare a larger number.
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        None, max_length=500, description="omit to mark every notification read"
    )


@router.get(
    "", response={200: NotificationList, **ERRORS}, summary="Your notifications, newest first"
)
def list_notifications(
    request,
    unread: bool = False,
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    rows = selectors.notifications_for(request.auth, unread_only=unread)[offset : offset + limit]
    return {"items": list(rows), "unread": selectors.unread_count(request.auth)}


@router.post("/read", response={200: dict, **ERRORS}, summary="Mark notifications read")
def read(request, payload: ReadIn):
    return {"marked": services.mark_read(request.auth, payload.ids)}
