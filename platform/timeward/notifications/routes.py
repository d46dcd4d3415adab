"""The in-app notification list: each signed-in member reads their own, in their tenant."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter

from timeward.authz.guard import requires
from timeward.errors import NotFound
from timeward.notifications.schemas import NotificationView
from timeward.notifications.service import list_for_user, mark_read
from timeward.notifications.views import notification_view
from timeward.paging import Page, make_page
from timeward.web.dependencies import CurrentActor, DbSession
from timeward.web.pagination import RequestedPage


class MyNotificationsController(Controller):
    path = "/api/v1/me/notifications"
    tags = ["me"]

    @get("/", opt=requires("my_notifications", "read"), summary="Your notifications, newest first")
    async def list_notifications(
        self,
        actor: CurrentActor,
        session: DbSession,
        page: RequestedPage,
        unread: Annotated[
            bool, QueryParameter(required=False, description="Unread ones only")
        ] = False,
    ) -> Page[NotificationView]:
        rows = await list_for_user(
            session,
            actor.require_tenant(),
            actor.user_id,
            unread_only=unread,
            limit=page.fetch,
            offset=page.offset,
        )
        return make_page([notification_view(n) for n in rows], page)

    @post(
        "/{notification_id:uuid}/read",
        opt=requires("my_notifications", "update"),
        summary="Mark one of your notifications read",
        status_code=204,
    )
    async def read(
        self, notification_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> None:
        if not await mark_read(session, actor.require_tenant(), actor.user_id, notification_id):
            raise NotFound("Notification")
