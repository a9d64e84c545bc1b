package ${{ values.packageName }}.item;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
{% if values.enableKafka %}
import static org.mockito.Mockito.verify;
{% endif %}
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
{% if values.enableKafka %}

import ${{ values.packageName }}.events.ItemEvent;
import ${{ values.packageName }}.events.ItemEventPublisher;
{% endif %}

/** The item use cases without Spring: repository{% if values.enableKafka %} and event publisher{% endif %} mocked. */
class ItemServiceTest {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private final ItemRepository repository = mock(ItemRepository.class);
{% if values.enableKafka %}
    private final ItemEventPublisher events = mock(ItemEventPublisher.class);
{% endif %}
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private ItemService service;

    @BeforeEach
    void setUp() {
{% if values.enableKafka %}
        service = new ItemService(repository, clock, events);
{% else %}
        service = new ItemService(repository, clock);
{% endif %}
        when(repository.save(any(Item.class))).thenAnswer(invocation -> invocation.getArgument(0));
    }

    @Test
    void createsAnItemWithTrimmedName() {
        ItemResponse created = service.create(new ItemRequest("  First  ", "The first item"));

        assertThat(created.id()).isNotNull();
        assertThat(created.name()).isEqualTo("First");
        assertThat(created.createdAt()).isEqualTo(NOW);
{% if values.enableKafka %}
        verify(events).publish(new ItemEvent(ItemEvent.CREATED, created.id(), "First", NOW));
{% endif %}
    }

    @Test
    void updatesAnExistingItem() {
        UUID id = UUID.randomUUID();
        Item item = new Item(id, "Old", null, NOW.minusSeconds(60));
        when(repository.findById(id)).thenReturn(Optional.of(item));

        ItemResponse updated = service.update(id, new ItemRequest("New", "Renamed"));

        assertThat(updated.name()).isEqualTo("New");
        assertThat(updated.updatedAt()).isEqualTo(NOW);
        assertThat(updated.createdAt()).isEqualTo(NOW.minusSeconds(60));
    }

    @Test
    void failsForAnUnknownItem() {
        UUID id = UUID.randomUUID();
        when(repository.findById(id)).thenReturn(Optional.empty());

        assertThatThrownBy(() -> service.get(id)).isInstanceOf(ItemNotFoundException.class);
        assertThatThrownBy(() -> service.update(id, new ItemRequest("x", null)))
                .isInstanceOf(ItemNotFoundException.class);
    }
}
