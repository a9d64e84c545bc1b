package ${{ values.packageName }}.item;

import java.util.List;

/** One page of items, newest first. */
public record ItemPage(List<ItemResponse> items, int page, int size, long totalItems) {
}
