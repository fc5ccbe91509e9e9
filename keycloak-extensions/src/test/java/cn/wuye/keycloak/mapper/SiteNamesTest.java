package cn.wuye.keycloak.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SiteNamesTest {

    @Test
    void mapsEachCodeToItsChineseName() {
        Map<String, String> names = SiteNames.build(List.of(
                new SiteNames.Site("songyuan", "松园"), new SiteNames.Site("lvyuan", "绿园小区")));
        assertEquals(Map.of("songyuan", "松园", "lvyuan", "绿园小区"), names);
    }

    @Test
    void fallsBackToTheCodeWhenTheNameIsMissingOrBlank() {
        Map<String, String> names = SiteNames.build(List.of(
                new SiteNames.Site("jinxiu", null), new SiteNames.Site("qinghe", "  ")));
        assertEquals(Map.of("jinxiu", "jinxiu", "qinghe", "qinghe"), names);
    }

    @Test
    void sortsByCodeAndSkipsNamelessGroups() {
        List<SiteNames.Site> sites = new ArrayList<>(Arrays.asList(
                new SiteNames.Site("b", "乙"), null, new SiteNames.Site("", "空"), new SiteNames.Site("a", " 甲 ")));
        Map<String, String> names = SiteNames.build(sites);
        assertEquals(List.of("a", "b"), List.copyOf(names.keySet()));
        assertEquals("甲", names.get("a"));
    }

    @Test
    void noSitesGiveAnEmptyObject() {
        assertTrue(SiteNames.build(List.of()).isEmpty());
    }
}
