package ${{ values.packageName }}.item;

import java.time.Clock;
import java.time.Instant;
{% if values.database != 'postgres' %}
import java.util.List;
{% endif %}
import java.util.UUID;

{% if values.database == 'postgres' %}
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
{% endif %}
import org.springframework.stereotype.Service;
{% if values.database == 'postgres' %}
import org.springframework.transaction.annotation.Transactional;
{% endif %}
{% if values.enableKafka %}

import ${{ values.packageName }}.events.ItemEvent;
import ${{ values.packageName }}.events.ItemEventPublisher;
{% endif %}

/**
 * The use cases of the items API: list, read, create, update and delete.
 */
@Service
{% if values.database == 'postgres' %}
@Transactional
{% endif %}
public class ItemService {

    private final ItemRepository repository;
    private final Clock clock;
{% if values.enableKafka %}
    private final ItemEventPublisher events;

    public ItemService(ItemRepository repository, Clock clock, ItemEventPublisher events) {
        this.repository = repository;
        this.clock = clock;
        this.events = events;
    }
{% else %}

    public ItemService(ItemRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }
{% endif %}

{% if values.database == 'postgres' %}
    @Transactional(readOnly = true)
    public ItemPage list(int page, int size) {
        Page<Item> result = repository.findAll(
                PageRequest.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt")));
        return new ItemPage(result.getContent().stream().map(ItemResponse::from).toList(),
                page, size, result.getTotalElements());
    }

    @Transactional(readOnly = true)
    public ItemResponse get(UUID id) {
        return ItemResponse.from(find(id));
    }
{% else %}
    public ItemPage list(int page, int size) {
        List<Item> all = repository.findAll();
        int from = (int) Math.min((long) page * size, all.size());
        int to = Math.min(from + size, all.size());
        return new ItemPage(all.subList(from, to).stream().map(ItemResponse::from).toList(),
                page, size, all.size());
    }

    public ItemResponse get(UUID id) {
        return ItemResponse.from(find(id));
    }
{% endif %}

    public ItemResponse create(ItemRequest request) {
        Item item = repository.save(new Item(UUID.randomUUID(), request.name().strip(),
                request.description(), Instant.now(clock)));
{% if values.enableKafka %}
        events.publish(ItemEvent.of(ItemEvent.CREATED, item, clock));
{% endif %}
        return ItemResponse.from(item);
    }

    public ItemResponse update(UUID id, ItemRequest request) {
        Item item = find(id);
        item.update(request.name().strip(), request.description(), Instant.now(clock));
{% if values.database == 'postgres' %}
        item = repository.save(item);
{% endif %}
{% if values.enableKafka %}
        events.publish(ItemEvent.of(ItemEvent.UPDATED, item, clock));
{% endif %}
        return ItemResponse.from(item);
    }

    public void delete(UUID id) {
{% if values.enableKafka %}
        Item item = find(id);
        repository.deleteById(id);
        events.publish(ItemEvent.of(ItemEvent.DELETED, item, clock));
{% else %}
        if (!repository.existsById(id)) {
            throw new ItemNotFoundException(id);
        }
        repository.deleteById(id);
{% endif %}
    }

    private Item find(UUID id) {
        return repository.findById(id).orElseThrow(() -> new ItemNotFoundException(id));
    }
}
