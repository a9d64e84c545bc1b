package ${{ values.packageName }}.item;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The body of {@code POST} and {@code PUT /api/v1/items}. */
public record ItemRequest(
        @NotBlank @Size(max = 100) String name,
        @Size(max = 1000) String description) {
}
