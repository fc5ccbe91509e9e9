package cn.wuye.keycloak.activation;

import com.google.auto.service.AutoService;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** An SPI of our own so that Keycloak starts {@link ActivationDrainFactory}, which schedules the drain. */
@AutoService(Spi.class)
public class ActivationDrainSpi implements Spi {

    public static final String NAME = "wuye-activation-drain";

    /** Nothing to provide per session: the factory only schedules the drain. */
    public interface Drain extends Provider {
    }

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
        return Drain.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return ActivationDrainFactory.class;
    }
}
