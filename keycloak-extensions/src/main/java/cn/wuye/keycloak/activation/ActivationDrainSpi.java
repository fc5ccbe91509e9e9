package cn.wuye.keycloak.activation;

import com.google.auto.service.AutoService;

import org.keycloak.provider.Provider;
import org.keycloak.provider.Spi;

import cn.wuye.keycloak.spi.PublicSpi;

/** An SPI of our own so that Keycloak starts {@link ActivationDrainFactory}, which schedules the drain. */
@AutoService(Spi.class)
public class ActivationDrainSpi extends PublicSpi {

    public static final String NAME = "wuye-activation-drain";

    /** Nothing to provide per session: the factory only schedules the drain. */
    public interface Drain extends Provider {
    }

    public ActivationDrainSpi() {
        super(NAME, Drain.class, ActivationDrainFactory.class);
    }
}
