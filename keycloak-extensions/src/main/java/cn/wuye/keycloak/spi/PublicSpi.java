package cn.wuye.keycloak.spi;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** An SPI of ours, said once: its name, its provider and factory types; not internal (no experimental flag needed). */
public abstract class PublicSpi implements Spi {

    private final String name;
    private final Class<? extends Provider> provider;
    @SuppressWarnings("rawtypes")
    private final Class<? extends ProviderFactory> factory;

    @SuppressWarnings("rawtypes")
    protected PublicSpi(String name, Class<? extends Provider> provider, Class<? extends ProviderFactory> factory) {
        this.name = name;
        this.provider = provider;
        this.factory = factory;
    }

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return provider;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return factory;
    }
}
