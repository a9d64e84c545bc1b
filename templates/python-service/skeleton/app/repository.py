"""Data access for items. The service layer only talks to this interface."""

{%- if values.useDb %}

from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Item


class ItemRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, offset: int = 0, limit: int = 50) -> Sequence[Item]:
        return self.session.scalars(select(Item).order_by(Item.id).offset(offset).limit(limit)).all()

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Item)) or 0

    def get(self, item_id: int) -> Item | None:
        return self.session.get(Item, item_id)

    def get_by_name(self, name: str) -> Item | None:
        return self.session.scalar(select(Item).where(Item.name == name))

    def add(self, **fields: object) -> Item:
        item = Item(**fields)
        self.session.add(item)
        self.session.flush()
        self.session.refresh(item)
        return item

    def update(self, item: Item, **fields: object) -> Item:
        for key, value in fields.items():
            setattr(item, key, value)
        self.session.flush()
        self.session.refresh(item)
        return item

    def mark_processed(self, item: Item) -> Item:
        return self.update(item, processed_at=datetime.now(timezone.utc))

    def delete(self, item: Item) -> None:
        self.session.delete(item)
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()
{%- else %}

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Item:
    id: int
    name: str
    description: str | None = None
    quantity: int = 0
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    processed_at: datetime | None = None


class ItemRepository:
    """In-process store: data lives as long as the pod. Swap in a database when it matters."""

    _items: dict[int, Item] = {}
    _next_id = 1
    _lock = threading.Lock()

    def list(self, offset: int = 0, limit: int = 50) -> Sequence[Item]:
        with self._lock:
            return sorted(self._items.values(), key=lambda i: i.id)[offset : offset + limit]

    def count(self) -> int:
        return len(self._items)

    def get(self, item_id: int) -> Item | None:
        return self._items.get(item_id)

    def get_by_name(self, name: str) -> Item | None:
        return next((i for i in self._items.values() if i.name == name), None)

    def add(self, **fields: object) -> Item:
        with self._lock:
            item = Item(id=ItemRepository._next_id, **fields)  # type: ignore[arg-type]
            ItemRepository._next_id += 1
            self._items[item.id] = item
            return item

    def update(self, item: Item, **fields: object) -> Item:
        with self._lock:
            for key, value in fields.items():
                setattr(item, key, value)
            item.updated_at = _now()
            return item

    def mark_processed(self, item: Item) -> Item:
        return self.update(item, processed_at=_now())

    def delete(self, item: Item) -> None:
        with self._lock:
            self._items.pop(item.id, None)

    def commit(self) -> None:
        """Nothing to commit for the in-memory store."""

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._items.clear()
            cls._next_id = 1
{%- endif %}
