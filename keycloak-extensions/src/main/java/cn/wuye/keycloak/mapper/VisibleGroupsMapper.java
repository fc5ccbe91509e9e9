package cn.wuye.keycloak.mapper;

import com.google.auto.service.AutoService;
import org.keycloak.protocol.ProtocolMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.ModelToRepresentation;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;

/**
 * Claim {@code groups}: the full paths of the user's groups that lie under the configured prefixes only, so a
 * downstream system declared with {@code groups: [/departments]} learns departments but not sites.
 */
@AutoService(ProtocolMapper.class)
public class VisibleGroupsMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "wuye-visible-groups-mapper";
    public static final String PREFIXES = "group.prefixes";
    static final String CLAIM = "groups";

    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        ProviderConfigProperty prefixes = new ProviderConfigProperty();
        prefixes.setName(PREFIXES);
        prefixes.setLabel("Group path prefixes");
        prefixes.setHelpText("Comma-separated full group paths; only groups at or under one of them are listed.");
        prefixes.setType(ProviderConfigProperty.STRING_TYPE);
        CONFIG.add(prefixes);
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, VisibleGroupsMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "wuye visible groups";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Claim 'groups': full paths of the user's groups under the configured prefixes only.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession keycloakSession, ClientSessionContext clientSessionCtx) {
        String configured = mappingModel.getConfig().getOrDefault(PREFIXES, "");
        List<String> prefixes = Arrays.stream(configured.split(",")).filter(p -> !p.isBlank()).toList();
        List<String> paths = userSession.getUser().getGroupsStream().map(ModelToRepresentation::buildGroupPath).toList();
        token.getOtherClaims().put(CLAIM, GroupPaths.visible(paths, prefixes));
    }
}
