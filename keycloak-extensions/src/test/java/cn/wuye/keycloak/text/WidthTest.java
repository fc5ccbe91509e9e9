package cn.wuye.keycloak.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WidthTest {

    @Test
    void full_width_letters_digits_and_punctuation_fold_to_ascii() {
        assertEquals("Abc123@+ x", Width.toHalfWidth("Ａｂｃ１２３＠＋\u3000ｘ"));
    }

    @Test
    void chinese_characters_are_left_alone() {
        assertEquals("王小明", Width.toHalfWidth("王小明"));
        assertFalse(Width.hasFullWidth("王小明abc"));
        assertTrue(Width.hasFullWidth("pass１"));
    }
}
