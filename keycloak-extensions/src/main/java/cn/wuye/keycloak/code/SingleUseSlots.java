package cn.wuye.keycloak.code;

import java.util.Map;
import java.util.OptionalLong;

import org.keycloak.models.SingleUseObjectProvider;

/** Keycloak's cluster-wide single-use store as a {@link SlotStore}: its {@code putIfAbsent} is atomic on every node. */
public record SingleUseSlots(SingleUseObjectProvider store) implements SlotStore {

    @Override
    public boolean putIfAbsent(String key, long lifespanSeconds) {
        return store.putIfAbsent(key, lifespanSeconds);
    }

    @Override
    public boolean contains(String key) {
        return store.contains(key);
    }

    @Override
    public void remove(String key) {
        store.remove(key);
    }

    @Override
    public void note(String key, long lifespanSeconds, long value) {
        store.put(key, lifespanSeconds, Map.of("v", Long.toString(value)));
    }

    @Override
    public OptionalLong noted(String key) {
        Map<String, String> notes = store.get(key);
        try {
            return notes == null || notes.get("v") == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(notes.get("v")));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
