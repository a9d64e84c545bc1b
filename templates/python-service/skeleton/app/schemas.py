"""Pydantic schemas: what the API accepts and returns."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ItemBase(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["blue widget"])
    description: str | None = Field(default=None, max_length=2000)
    quantity: int = Field(default=0, ge=0)


class ItemCreate(ItemBase):
    pass


class ItemUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    quantity: int | None = Field(default=None, ge=0)


class ItemRead(ItemBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None = None


class ItemPage(BaseModel):
    items: list[ItemRead]
    total: int
    offset: int
    limit: int


class Problem(BaseModel):
    detail: str
