package cn.wuye.keycloak.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PhoneNumbersTest {

    /** The case list shared with provisioning (Python): both sides run every case. */
    static File vectorFile() {
        String dir = System.getProperty("wuye.vectors.dir", "../tests/vectors");
        return new File(dir, "phone_numbers.json");
    }

    @TestFactory
    Stream<DynamicTest> every_shared_vector_normalises_as_provisioning_does() throws Exception {
        JsonNode root = new ObjectMapper().readTree(vectorFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String input = c.get("input").asText();
            Optional<String> expected = c.get("e164").isNull() ? Optional.empty() : Optional.of(c.get("e164").asText());
            tests.add(DynamicTest.dynamicTest(c.get("note").asText() + ": '" + input + "'",
                    () -> assertEquals(expected, PhoneNumbers.toE164(input))));
        }
        assertTrue(tests.size() >= 20, "the shared vector file should hold the full table");
        return tests.stream();
    }

    @Test
    void null_is_not_a_phone() {
        assertFalse(PhoneNumbers.toE164(null).isPresent());
    }

    @Test
    void masked_numbers_keep_the_first_three_and_last_four_digits() {
        assertEquals("138****8000", PhoneNumbers.mask("+8613800138000"));
    }
}
