package cn.wuye.keycloak.mapper;

import com.google.auto.service.AutoService;
import org.keycloak.protocol.ProtocolMapper;
import java.util.ArrayList;
import java.util.List;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;

/**
 * The standard {@code name} claim in the order the name is written ({@link FullName}). Runs after the {@code profile}
 * scope's {@code oidc-full-name-mapper} (priority 0, "given family") and overwrites its value, so a client that
 * carries this mapper gets 雷诺磊 whatever client scopes it also has.
 */
@AutoService(ProtocolMapper.class)
public class FullNameMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "wuye-full-name-mapper";
    static final String CLAIM = "name";
    /** Mappers run in ascending priority; Keycloak's full-name mapper has 0. */
    static final int PRIORITY = 100;

    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, FullNameMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "wuye full name (family name first for Chinese)";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Claim 'name': the display_name attribute (the name as HR wrote it), else family + given without a "
                + "space for Chinese names and given + ' ' + family otherwise. Overrides the profile scope's full name.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession keycloakSession, ClientSessionContext clientSessionCtx) {
        UserModel user = userSession.getUser();
        String name = FullName.of(
                user.getFirstAttribute(FullName.DISPLAY_NAME_ATTRIBUTE), user.getFirstName(), user.getLastName());
        if (name != null) {
            // the same map entry Keycloak's mapper writes (not IDToken.setName: both would be serialised)
            token.getOtherClaims().put(CLAIM, name);
        }
    }
}
