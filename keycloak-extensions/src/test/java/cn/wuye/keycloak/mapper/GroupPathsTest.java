package cn.wuye.keycloak.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class GroupPathsTest {

    private static final List<String> PATHS = List.of(
            "/sites/songyuan", "/departments/finance", "/departments-old/x", "/departments", "/sites/hupan");

    @Test
    void onlyPathsAtOrUnderAPrefixAreVisible() {
        assertEquals(List.of("/departments", "/departments/finance"), GroupPaths.visible(PATHS, List.of("/departments")));
        assertEquals(List.of("/sites/songyuan"), GroupPaths.visible(PATHS, List.of(" /sites/songyuan/ ")));
    }

    @Test
    void noPrefixShowsNothing() {
        assertEquals(List.of(), GroupPaths.visible(PATHS, List.of()));
        assertEquals(List.of(), GroupPaths.visible(PATHS, List.of("  ")));
    }
}
