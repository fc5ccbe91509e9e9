package cn.wuye.keycloak.sms;

import com.google.auto.service.AutoService;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** Our SPI for SMS gateways: {@code dev-outbox}, {@code aliyun}, {@code tencent}. */
@AutoService(Spi.class)
public class SmsSenderSpi implements Spi {

    public static final String NAME = "wuye-sms-sender";

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return SmsSender.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return SmsSenderFactory.class;
    }
}
