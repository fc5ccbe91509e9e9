package cn.wuye.keycloak.code;

import java.util.OptionalLong;

/**
 * The few operations the send limits need from a shared, expiring key store. In Keycloak it is the cluster-wide
 * {@code SingleUseObjectProvider}, whose {@code putIfAbsent} is atomic on every node; tests use a map.
 */
public interface SlotStore {

    /** Claims {@code key} for {@code lifespanSeconds}; true for exactly one of any number of concurrent callers. */
    boolean putIfAbsent(String key, long lifespanSeconds);

    boolean contains(String key);

    void remove(String key);

    /** Keeps a number beside a claim, for messages only (when a cool-down started); never used to decide. */
    void note(String key, long lifespanSeconds, long value);

    OptionalLong noted(String key);
}
