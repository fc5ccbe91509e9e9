package cn.wuye.keycloak.theme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The login theme's messages: both Chinese files agree, English has every key, the code uses only known keys. */
public class ThemeMessagesTest {

    public static Properties load(String locale) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ThemeMessagesTest.class.getResourceAsStream("/theme/wuye/login/messages/messages_" + locale + ".properties")) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void zh_cn_and_zh_hans_say_the_same_thing() throws IOException {
        assertEquals(load("zh_CN"), load("zh_Hans"));
    }

    @Test
    void english_has_every_key_of_chinese() throws IOException {
        Set<String> missing = new TreeSet<>(load("zh_CN").stringPropertyNames());
        missing.removeAll(load("en").stringPropertyNames());
        missing.removeIf(k -> k.startsWith("invalidPassword") && !k.equals("invalidPasswordRegexPatternMessage")
                || k.equals("emailForgotTitle"));
        assertTrue(missing.isEmpty(), "missing in messages_en: " + missing);
    }

    @Test
    void every_wuye_message_key_used_by_the_code_and_templates_exists() throws IOException {
        Pattern key = Pattern.compile("\"(wuye[A-Z][A-Za-z]+)\"");
        Set<String> used = new HashSet<>();
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java")), Files.walk(Path.of("src/main/resources/theme")))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".ftl"))::iterator) {
                Matcher m = key.matcher(Files.readString(f));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        // realm and user attribute names (all spelt in SmsSettings and Activation) are not message keys
        for (String names : new String[] {"sms/SmsSettings.java", "activation/Activation.java"}) {
            Matcher attributes = key.matcher(Files.readString(Path.of("src/main/java/cn/wuye/keycloak/" + names)));
            while (attributes.find()) {
                used.remove(attributes.group(1));
            }
        }
        used.removeIf(k -> k.equals("wuyeOwnerAppUrl") || k.startsWith("wuyePurpose") || k.startsWith("wuyeMethod")
                || k.startsWith("wuyeDestination") || k.startsWith("wuyeNotice") || k.startsWith("wuyeCanUse")
                || k.startsWith("wuyeOfferTrust") || k.equals("wuyeCodeValidityMinutes")); // page attributes
        Set<String> zh = load("zh_CN").stringPropertyNames();
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(zh);
        assertTrue(missing.isEmpty(), "message keys without a zh-CN text: " + missing);
    }
}
