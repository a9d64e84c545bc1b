package ${{ values.packageName }}.item;

import java.util.UUID;

/** No item has the requested id; the API answers 404. */
public class ItemNotFoundException extends RuntimeException {

    public ItemNotFoundException(UUID id) {
        super("Item " + id + " does not exist");
    }
}
