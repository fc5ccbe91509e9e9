package cn.wuye.keycloak.authenticator;

import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.utils.FormMessage;

/** The one page for entering a code ({@code wuye-code.ftl} in the {@code wuye} login theme). */
final class CodePage {

    static final String TEMPLATE = "wuye-code.ftl";
    static final String FIELD = "code";

    /** What the page shows besides the code field. */
    static final class Model {
        String purpose = "login";
        String method = "sms";
        String destination = "";
        String notice;
        boolean canUseTotp;
        boolean canUseSms;
        boolean canUseEmailLink;
        boolean offerTrust;
    }

    private CodePage() {
    }

    static LoginFormsProvider form(AuthenticationFlowContext ctx, Model m) {
        LoginFormsProvider form = ctx.form().setExecution(ctx.getExecution().getId());
        form.setAttribute("wuyeCodeValidityMinutes", validityMinutes(ctx));
        return apply(form, m);
    }

    /** The realm's code validity in whole minutes, as every text about a code announces it. */
    static String validityMinutes(AuthenticationFlowContext ctx) {
        return Long.toString(CodeFlow.policy(ctx.getRealm()).validityMinutes());
    }

    static LoginFormsProvider apply(LoginFormsProvider form, Model m) {
        form.setAttribute("wuyePurpose", m.purpose);
        form.setAttribute("wuyeMethod", m.method);
        form.setAttribute("wuyeDestination", m.destination);
        if (m.notice != null) {
            form.setAttribute("wuyeNotice", m.notice);
        }
        form.setAttribute("wuyeCanUseTotp", m.canUseTotp);
        form.setAttribute("wuyeCanUseSms", m.canUseSms);
        form.setAttribute("wuyeCanUseEmailLink", m.canUseEmailLink);
        form.setAttribute("wuyeOfferTrust", m.offerTrust);
        return form;
    }

    static Response render(AuthenticationFlowContext ctx, Model m) {
        return form(ctx, m).createForm(TEMPLATE);
    }

    static Response error(AuthenticationFlowContext ctx, Model m, String key, Object... params) {
        return form(ctx, m).addError(new FormMessage(FIELD, key, params)).createForm(TEMPLATE);
    }

    /** The code is too old: says how long codes last and what to do next. */
    static Response expired(AuthenticationFlowContext ctx, Model m) {
        return error(ctx, m, "wuyeCodeExpired", validityMinutes(ctx));
    }

    static Response info(AuthenticationFlowContext ctx, Model m, String key, Object... params) {
        return form(ctx, m).setInfo(key, params).createForm(TEMPLATE);
    }
}
