package ${{ values.packageName }}.item;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The HTTP contract of /api/v1/items: status codes, JSON shape, validation. */
@WebMvcTest(ItemController.class)
class ItemControllerTest {

    private static final UUID ID = UUID.fromString("0b6f1a4e-6f0e-4a52-9a8e-3f1c2d4b5a69");
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    @Autowired
    private MockMvc mvc;

    @MockitoBean
    private ItemService service;

    @Test
    void listsItems() throws Exception {
        when(service.list(0, 20)).thenReturn(new ItemPage(
                List.of(new ItemResponse(ID, "First", null, NOW, NOW)), 0, 20, 1));

        mvc.perform(get("/api/v1/items"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.items[0].id").value(ID.toString()))
                .andExpect(jsonPath("$.totalItems").value(1));
    }

    @Test
    void rejectsAPageSizeOverTheLimit() throws Exception {
        mvc.perform(get("/api/v1/items").param("size", "500"))
                .andExpect(status().isBadRequest());
    }

    @Test
    void createsAnItem() throws Exception {
        when(service.create(any(ItemRequest.class)))
                .thenReturn(new ItemResponse(ID, "First", "The first item", NOW, NOW));

        mvc.perform(post("/api/v1/items")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"First\", \"description\": \"The first item\"}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "http://localhost/api/v1/items/" + ID))
                .andExpect(jsonPath("$.name").value("First"));
    }

    @Test
    void rejectsAnItemWithoutName() throws Exception {
        mvc.perform(post("/api/v1/items")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \" \"}"))
                .andExpect(status().isBadRequest())
                .andExpect(header().string("Content-Type", MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.errors.name").exists());
    }

    @Test
    void answers404ForAnUnknownItem() throws Exception {
        when(service.get(ID)).thenThrow(new ItemNotFoundException(ID));

        mvc.perform(get("/api/v1/items/{id}", ID))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.title").value("Item not found"));
    }

    @Test
    void updatesAnItem() throws Exception {
        when(service.update(eq(ID), any(ItemRequest.class)))
                .thenReturn(new ItemResponse(ID, "Renamed", null, NOW, NOW));

        mvc.perform(put("/api/v1/items/{id}", ID)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"Renamed\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("Renamed"));
    }

    @Test
    void deletesAnItem() throws Exception {
        mvc.perform(delete("/api/v1/items/{id}", ID))
                .andExpect(status().isNoContent());
        verify(service).delete(ID);
    }

    @Test
    void answers404WhenDeletingAnUnknownItem() throws Exception {
        doThrow(new ItemNotFoundException(ID)).when(service).delete(ID);

        mvc.perform(delete("/api/v1/items/{id}", ID))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value(containsString(ID.toString())));
    }
}
