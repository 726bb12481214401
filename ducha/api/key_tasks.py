"""The key-task list on the public site (亮进度) over the API: the supervision office publishes the
year's key-work matters with progress and traffic light, disclosing the fields the setting
DUCHA_PUBLIC_TASK_FIELDS names (never a person). Needs ``"confirm": true``: the public sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from ducha.api.common import ERRORS, caller, refuse
from ducha.api.schemas import Error
from ducha.matters.errors import MatterError
from ducha.matters.publish import NotOffice, do_publish_key_tasks

router = Router(tags=["matters"])


class KeyTasksPath(Schema):
    year: int = Field(ge=2000, le=2100)


class KeyTasksPublishIn(Schema):
    confirm: bool = Field(False, description="true to publish: the public site shows the list until it is "
                                             "published again")


class KeyTasksPublishedOut(Schema):
    year: int
    version: int = Field(description="the publication's version: each publication adds one")
    published_at: datetime
    tasks: int = Field(description="the key tasks published")
    fields: list[str] = Field(description="the fields disclosed of each task")


@router.post("/key-tasks/{year}/publish", response={200: KeyTasksPublishedOut, 400: Error, 403: Error, **ERRORS},
             summary="Publish the year's key-task list with progress and traffic light on the public site (S5.1)")
def publish_key_tasks(request: HttpRequest, path: Path[KeyTasksPath], payload: KeyTasksPublishIn) -> Any:
    try:
        publication = do_publish_key_tasks(actor=caller(request), year=path.year, confirm=payload.confirm)
    except NotOffice as e:
        return refuse(403, e.errors)
    except MatterError as e:
        return refuse(400, e.errors)
    return {"year": path.year, "version": publication.version, "published_at": publication.published_at,
            "tasks": len(publication.payload["tasks"]), "fields": publication.payload["fields"]}
