"""Business rules for items, between the router and the repository."""

import logging
from collections.abc import Sequence

from prometheus_client import Counter

from app.repository import Item, ItemRepository
from app.schemas import ItemCreate, ItemUpdate

log = logging.getLogger(__name__)

ITEMS_CHANGED = Counter("items_changed_total", "Items created, updated or deleted", ["operation"])


class ItemNotFoundError(Exception):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"item {item_id} not found")
        self.item_id = item_id


class ItemConflictError(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"an item named {name!r} already exists")
        self.name = name


class ItemService:
    def __init__(self, repository: ItemRepository) -> None:
        self.repository = repository

    def list(self, offset: int, limit: int) -> tuple[Sequence[Item], int]:
        return self.repository.list(offset=offset, limit=limit), self.repository.count()

    def get(self, item_id: int) -> Item:
        item = self.repository.get(item_id)
        if item is None:
            raise ItemNotFoundError(item_id)
        return item

    def create(self, data: ItemCreate) -> Item:
        if self.repository.get_by_name(data.name) is not None:
            raise ItemConflictError(data.name)
        item = self.repository.add(**data.model_dump())
        self.repository.commit()
        ITEMS_CHANGED.labels(operation="create").inc()
        log.info("item created", extra={"item_id": item.id})
{%- if values.enableCelery %}
        self._enqueue_processing(item)
{%- endif %}
        return item

    def update(self, item_id: int, data: ItemUpdate) -> Item:
        item = self.get(item_id)
        changes = data.model_dump(exclude_unset=True)
        if "name" in changes and changes["name"] != item.name and self.repository.get_by_name(changes["name"]):
            raise ItemConflictError(changes["name"])
        item = self.repository.update(item, **changes)
        self.repository.commit()
        ITEMS_CHANGED.labels(operation="update").inc()
        return item

    def delete(self, item_id: int) -> None:
        item = self.get(item_id)
        self.repository.delete(item)
        self.repository.commit()
        ITEMS_CHANGED.labels(operation="delete").inc()
{%- if values.enableCelery %}

    @staticmethod
    def _enqueue_processing(item: Item) -> None:
        # Imported here so the API module graph does not import Celery at startup.
        from app.tasks import process_item

        process_item.delay(item.id{% if not values.useDb %}, item.name{% endif %})
{%- endif %}
