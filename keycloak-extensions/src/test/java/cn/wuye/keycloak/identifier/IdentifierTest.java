package cn.wuye.keycloak.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class IdentifierTest {

    @Test
    void an_employee_number_is_the_username_in_lower_case() {
        Identifier id = Identifier.parse("  WY0001 ");
        assertEquals(Identifier.Kind.EMPLOYEE_NO, id.kind());
        assertEquals("wy0001", id.username());
        assertEquals(Optional.empty(), id.email());
        assertEquals(Optional.empty(), id.phone());
    }

    @Test
    void full_width_employee_numbers_fold_to_half_width() {
        assertEquals("wy0001", Identifier.parse("ＷＹ０００１").username());
    }

    @Test
    void a_mobile_number_in_any_common_form_reads_as_e164() {
        for (String s : new String[] {"13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000",
                "１３８００１３８０００"}) {
            Identifier id = Identifier.parse(s);
            assertEquals(Identifier.Kind.PHONE, id.kind(), s);
            assertEquals(Optional.of("+8613800138000"), id.phone(), s);
        }
    }

    @Test
    void a_digits_only_employee_number_keeps_its_username_reading_too() {
        Identifier id = Identifier.parse("13800138000");
        assertEquals("13800138000", id.username());
        assertTrue(id.phone().isPresent());
    }

    @Test
    void emails_match_case_insensitively_and_full_width_at_signs_fold() {
        Identifier id = Identifier.parse(" Zhang.San＠Example.COM ");
        assertEquals(Identifier.Kind.EMAIL, id.kind());
        assertEquals(Optional.of("zhang.san@example.com"), id.email());
        assertEquals(Optional.empty(), id.phone());
    }

    @Test
    void blank_input_is_empty() {
        assertTrue(Identifier.parse(" \u3000 ").isEmpty());
        assertEquals(Identifier.Kind.EMPTY, Identifier.parse(null).kind());
    }
}
