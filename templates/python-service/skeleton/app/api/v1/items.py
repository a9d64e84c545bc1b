"""CRUD endpoints for items: /api/v1/items."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
{%- if values.useDb %}
from sqlalchemy.orm import Session
{%- endif %}

{% if values.useDb -%}
from app.db import get_session
{% endif -%}
from app.repository import ItemRepository
from app.schemas import ItemCreate, ItemPage, ItemRead, ItemUpdate, Problem
from app.service import ItemConflictError, ItemNotFoundError, ItemService

router = APIRouter(prefix="/items", tags=["items"])


{% if values.useDb -%}
def get_service(session: Annotated[Session, Depends(get_session)]) -> ItemService:
    return ItemService(ItemRepository(session))
{%- else -%}
def get_service() -> ItemService:
    return ItemService(ItemRepository())
{%- endif %}


ServiceDep = Annotated[ItemService, Depends(get_service)]
NOT_FOUND = {404: {"model": Problem, "description": "No item with this id"}}
CONFLICT = {409: {"model": Problem, "description": "An item with this name exists"}}


@router.get("", response_model=ItemPage, summary="List items")
def list_items(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ItemPage:
    items, total = service.list(offset=offset, limit=limit)
    return ItemPage(items=[ItemRead.model_validate(i) for i in items], total=total, offset=offset, limit=limit)


@router.post(
    "", response_model=ItemRead, status_code=status.HTTP_201_CREATED, responses=CONFLICT, summary="Create an item"
)
def create_item(data: ItemCreate, service: ServiceDep, response: Response) -> ItemRead:
    try:
        item = service.create(data)
    except ItemConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    return ItemRead.model_validate(item)


@router.get("/{item_id}", response_model=ItemRead, responses=NOT_FOUND, summary="Get an item")
def get_item(item_id: int, service: ServiceDep) -> ItemRead:
    try:
        return ItemRead.model_validate(service.get(item_id))
    except ItemNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.patch("/{item_id}", response_model=ItemRead, responses={**NOT_FOUND, **CONFLICT}, summary="Update an item")
def update_item(item_id: int, data: ItemUpdate, service: ServiceDep) -> ItemRead:
    try:
        return ItemRead.model_validate(service.update(item_id, data))
    except ItemNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except ItemConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND, summary="Delete an item")
def delete_item(item_id: int, service: ServiceDep) -> Response:
    try:
        service.delete(item_id)
    except ItemNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)
