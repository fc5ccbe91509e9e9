package cn.wuye.keycloak.mapper;

import java.util.Collection;
import java.util.List;

/**
 * Which of a person's group paths a downstream system may see: those at or under one of its declared prefixes
 * ({@code /departments} lets it see {@code /departments/finance}, not {@code /departments-old} nor {@code /sites/x}).
 */
public final class GroupPaths {

    private GroupPaths() {
    }

    public static List<String> visible(Collection<String> paths, Collection<String> prefixes) {
        return paths.stream().filter(path -> prefixes.stream().anyMatch(p -> under(path, p))).sorted().toList();
    }

    static boolean under(String path, String prefix) {
        String p = prefix.strip();
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return !p.isEmpty() && (path.equals(p) || path.startsWith(p.equals("/") ? p : p + "/"));
    }
}
