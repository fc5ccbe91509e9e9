package cn.wuye.keycloak.mapper;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pure part of {@link SiteNamesMapper}: site code → display name (group attribute {@code name_zh}), the code
 * itself when the name is missing or blank. Sorted by code so tokens are stable.
 */
public final class SiteNames {

    /** The top-level group whose direct children are the sites (项目/小区). */
    public static final String SITES_GROUP = "sites";
    /** The group attribute provisioning writes from the roster. */
    public static final String NAME_ATTRIBUTE = "name_zh";

    private SiteNames() {
    }

    /** One site group the user is a direct member of: its code (group name) and its {@code name_zh} (may be null). */
    public record Site(String code, String nameZh) {
    }

    public static Map<String, String> build(Iterable<Site> sites) {
        Map<String, String> names = new TreeMap<>();
        for (Site site : sites) {
            if (site == null || site.code() == null || site.code().isBlank()) {
                continue;
            }
            String name = site.nameZh() == null || site.nameZh().isBlank() ? site.code() : site.nameZh().strip();
            names.put(site.code(), name);
        }
        return Collections.unmodifiableMap(names);
    }
}
