"""The e-mailed invitation link as a page (``/invitations/<secret>``, the address
``timeward.identity.links`` puts in the mail): what the invitation is for, and a form
where the invitee sets their own first password, or confirms the current one of an
identity they already have. The same service as ``/api/v1/invitations/<secret>``: the
link works once, and an unknown, used or expired one is a 404 page."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from timeward.errors import InvalidInput
from timeward.identity import invitations
from timeward.web.dependencies import AppServices
from timeward.web.i18n import N_
from timeward.web.pages.layout import PUBLIC_PAGE, Form, redirect, render

PASSWORDS_DIFFER = N_("The two passwords are not the same.")


class AcceptForm(msgspec.Struct):
    password: str = ""
    password_again: str = ""


def _page(
    request: Request[Any, Any, Any],
    token: str,
    invitation: invitations.InvitationView,
    *,
    error: str | None = None,
    translated: bool = False,
    status: int = 200,
) -> Template:
    """The form; a password typed is never sent back."""
    return render(
        request,
        "invitation.html",
        token=token,
        invitation=invitation,
        error=error,
        error_translated=translated,
        status_code=status,
    )


class InvitationPages(Controller):
    opt = PUBLIC_PAGE

    @get("/invitations/{token:str}", include_in_schema=False)
    async def invitation(
        self, request: Request[Any, Any, Any], token: FromPath[str], services: AppServices
    ) -> Response[Any]:
        return _page(request, token, await invitations.describe(services.database, token))

    @post("/invitations/{token:str}", include_in_schema=False)
    async def accept(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        data: Annotated[AcceptForm, Form],
        services: AppServices,
    ) -> Response[Any]:
        invitation = await invitations.describe(services.database, token)
        if invitation.sets_password and data.password != data.password_again:
            return _page(
                request, token, invitation, error=PASSWORDS_DIFFER, translated=True, status=400
            )
        try:
            accepted = await invitations.accept_by_link(
                services.database, services.audit, token, data.password
            )
        except (InvalidInput, invitations.WrongPassword) as exc:
            return _page(request, token, invitation, error=exc.detail, status=exc.status_code)
        target = "/sign-in" if accepted.tenant == "platform" else f"/t/{accepted.tenant}/sign-in"
        return redirect(target, flash="invitation_accepted")
