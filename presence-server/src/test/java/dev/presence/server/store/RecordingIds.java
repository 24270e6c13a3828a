package dev.presence.server.store;

import dev.presence.server.domain.Ids;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Random ids, as the server makes them, remembered so a test can tell that the store took its ids from here. */
final class RecordingIds implements IdGenerator {

    private final List<String> issued = new CopyOnWriteArrayList<>();

    @Override
    public String newId(String prefix) {
        String id = Ids.newId(prefix);
        issued.add(id);
        return id;
    }

    /** Every id made so far, oldest first. */
    List<String> issued() {
        return List.copyOf(issued);
    }
}
