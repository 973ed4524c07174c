"""Input and output shapes of the notifications API."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict


class NotificationOut(Schema):
    id: int
    verb: str = Field(description='What happened, as a dotted code such as "lead.assigned".')
    title: str
    body: str
    url: str = Field(description="A path on this site (e.g. /leads/12/), or empty.")
    created_at: datetime
    read_at: datetime | None = Field(description="null while unread.")


class NotificationFilterSchema(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read; absent: all.")


class NotificationReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(
        None, max_length=1000, description="Notifications to mark read; absent or null: all unread ones."
    )


class NotificationReadOut(Schema):
    marked: int = Field(description="How many were unread and are now read.")


class NotificationCountOut(Schema):
    count: int
