package cn.wuye.keycloak.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FullNameTest {

    @Test
    void theNameAsHrWroteItWins() {
        assertEquals("雷诺磊", FullName.of(" 雷诺磊 ", "诺磊", "雷"));
        assertEquals("John Smith", FullName.of("John Smith", "John", "Smith"));
    }

    @Test
    void chineseNamesPutTheFamilyNameFirstWithoutASpace() {
        assertEquals("雷诺磊", FullName.of(null, "诺磊", "雷"));
        assertEquals("欧阳娜娜", FullName.of("  ", "娜娜", "欧阳"));
    }

    @Test
    void latinNamesKeepGivenThenFamily() {
        assertEquals("John Smith", FullName.of(null, "John", "Smith"));
    }

    @Test
    void oneHalfOrNothing() {
        assertEquals("雷", FullName.of(null, null, "雷"));
        assertEquals("John", FullName.of(null, "John", " "));
        assertNull(FullName.of(null, null, null));
    }
}
