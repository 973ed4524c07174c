"""Organisation API: users (to pick an owner), the current user, and personal API tokens."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from kehu.core.api import Pagination
from kehu.org.models import ApiToken, User
from kehu.org.schemas import ApiTokenCreatedOut, ApiTokenIn, ApiTokenOut, UserFilterSchema, UserMeOut, UserOut
from kehu.org.selectors import api_token_list
from kehu.org.services import api_token_authenticate, api_token_create, api_token_revoke

router = Router()
MAX_TOKEN_LENGTH = 200


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer kehu_…`, a personal API token (see /api/v1/tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user  # endpoints, services and the history log all read request.user
        return user


@router.get("/users", response=list[UserOut], tags=["users"])
@paginate(Pagination)
def list_users(request: HttpRequest, filters: Query[UserFilterSchema]) -> QuerySet[User]:
    """Active users, for choosing an owner. Every signed-in user may list them."""
    users = User.objects.filter(is_active=True).order_by("username", "id")
    if filters.username:
        users = users.filter(username=filters.username)
    if q := (filters.q or "").strip():
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return users


@router.get("/users/me", response=UserMeOut, tags=["users"])
def get_me(request: HttpRequest) -> User:
    return request.user


@router.get("/tokens", response=list[ApiTokenOut], tags=["tokens"])
@paginate(Pagination)
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """Your own tokens, revoked ones included. The token values themselves are never shown again."""
    return api_token_list(user=request.user).order_by("-created_at", "-id")


@router.post("/tokens", response={201: ApiTokenCreatedOut}, tags=["tokens"])
def create_token(request: HttpRequest, payload: ApiTokenIn) -> ApiToken:
    token, raw = api_token_create(
        actor=request.user, user=request.user, name=payload.name, expires_at=payload.expires_at
    )
    token.token = raw
    return token


@router.delete("/tokens/{int:token_id}", response={204: None}, tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: int) -> Status:
    token = get_object_or_404(api_token_list(user=request.user), pk=token_id)
    api_token_revoke(actor=request.user, token=token)
    return Status(204, None)
