package cn.wuye.keycloak.mapper;

import com.google.auto.service.AutoService;
import org.keycloak.protocol.ProtocolMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.keycloak.models.GroupModel;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
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
 * Claim (default {@code site_names}): a JSON object site code → 中文 name, for each site group {@code /sites/<code>}
 * the user is a direct member of; the name is the group attribute {@code name_zh}, else the code.
 */
@AutoService(ProtocolMapper.class)
public class SiteNamesMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "wuye-site-names-mapper";
    public static final String DEFAULT_CLAIM = "site_names";

    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addTokenClaimNameConfig(CONFIG);
        for (ProviderConfigProperty property : CONFIG) {
            if (OIDCAttributeMapperHelper.TOKEN_CLAIM_NAME.equals(property.getName())) {
                property.setDefaultValue(DEFAULT_CLAIM);
            }
        }
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, SiteNamesMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "wuye site names";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "JSON object: code of each /sites/<code> group the user is a direct member of → its name_zh "
                + "attribute (the code when missing).";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession keycloakSession, ClientSessionContext clientSessionCtx) {
        UserModel user = userSession.getUser();
        List<SiteNames.Site> sites = user.getGroupsStream()
                .filter(SiteNamesMapper::isSite)
                .map(g -> new SiteNames.Site(g.getName(), g.getFirstAttribute(SiteNames.NAME_ATTRIBUTE)))
                .toList();
        Map<String, String> names = SiteNames.build(sites);
        String claim = mappingModel.getConfig().get(OIDCAttributeMapperHelper.TOKEN_CLAIM_NAME);
        if (claim == null || claim.isBlank()) {
            claim = DEFAULT_CLAIM;
        }
        // A plain map: Jackson writes it as a JSON object (also when the user is in no site: {}).
        token.getOtherClaims().put(claim, names);
    }

    private static boolean isSite(GroupModel group) {
        GroupModel parent = group.getParent();
        return parent != null && parent.getParentId() == null && SiteNames.SITES_GROUP.equals(parent.getName());
    }
}
