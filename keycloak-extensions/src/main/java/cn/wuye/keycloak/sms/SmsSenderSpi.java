package cn.wuye.keycloak.sms;

import com.google.auto.service.AutoService;

import org.keycloak.provider.Spi;

import cn.wuye.keycloak.spi.PublicSpi;

/** Our SPI for SMS gateways: {@code dev-outbox}, {@code aliyun}, {@code tencent}. */
@AutoService(Spi.class)
public class SmsSenderSpi extends PublicSpi {

    public static final String NAME = "wuye-sms-sender";

    public SmsSenderSpi() {
        super(NAME, SmsSender.class, SmsSenderFactory.class);
    }
}
