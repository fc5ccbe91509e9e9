package cn.wuye.keycloak.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.text.MessageFormat;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import cn.wuye.keycloak.theme.ThemeMessagesTest;

class ActivationTextTest {

    static String sms(String locale, Locale language) throws IOException {
        String pattern = ThemeMessagesTest.load(locale).getProperty("wuyeActivationSmsText");
        return ActivationText.checked(new MessageFormat(pattern, language).format(new Object[] {
            "测试物业", "WY000123", ActivationText.address("https://sso.wuye.example.com/")}));
    }

    @Test
    void the_address_is_shown_without_its_scheme() {
        assertEquals("sso.wuye.example.com", ActivationText.address("https://sso.wuye.example.com/"));
        assertEquals("127.0.0.1:8000/app", ActivationText.address(" http://127.0.0.1:8000/app// "));
        assertEquals("sso.example.com", ActivationText.address("sso.example.com"));
        assertEquals("", ActivationText.address(null));
    }

    @Test
    void the_chinese_sms_names_company_employee_number_address_and_how_to_activate() throws IOException {
        String text = sms("zh_CN", Locale.SIMPLIFIED_CHINESE);
        assertTrue(text.startsWith("【测试物业】"), text);
        assertTrue(text.contains("WY000123") && text.contains("sso.wuye.example.com"), text);
        assertTrue(text.contains("首次登录:在登录页点「首次登录 / 激活账号」,用本手机号获取验证码并设置密码"), text);
        assertFalse(text.contains("http"), text);
    }

    @Test
    void the_english_sms_says_the_same() throws IOException {
        String text = sms("en", Locale.ENGLISH);
        assertTrue(text.contains("WY000123") && text.contains("sso.wuye.example.com") && text.contains("First sign-in"), text);
        assertFalse(text.contains("http"), text);
    }

    @Test
    void a_text_with_a_link_is_refused() {
        assertThrows(IllegalStateException.class, () -> ActivationText.checked("登录 https://evil.example.com"));
    }

    @Test
    void english_speakers_get_english_everyone_else_chinese() {
        assertEquals(Locale.ENGLISH, ActivationText.locale("en"));
        assertEquals(Locale.SIMPLIFIED_CHINESE, ActivationText.locale(null));
        assertEquals(Locale.SIMPLIFIED_CHINESE, ActivationText.locale("zh-CN"));
    }
}
