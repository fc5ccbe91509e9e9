<#-- wuye: keycloak.v2 login.ftl with one identifier field (工号 / 手机号 / 邮箱), its hint, the caps-lock and
     full-width warnings under the password (shown by js/wuye.js), and "首次登录 / 激活账号" beside 忘记密码. -->
<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<#import "social-providers.ftl" as identityProviders>
<#import "passkeys.ftl" as passkeys>
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('username','password') displayInfo=realm.password && realm.registrationAllowed && !registrationDisabled??; section>
<!-- template: login.ftl (wuye) -->
    <#if section = "header">
        ${msg("loginAccountTitle")}
    <#elseif section = "form">
        <div id="kc-form">
          <div id="kc-form-wrapper">
            <#if realm.password>
                <form id="kc-form-login" class="${properties.kcFormClass!}" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post" novalidate="novalidate">
                    <#if !usernameHidden??>
                        <@field.input name="username" label=msg("wuyeIdentifierLabel") error=messagesPerField.getFirstError('username','password')
                            autofocus=true autocomplete="username" value=login.username!'' />
                        <p id="wuye-identifier-hint" class="wuye-hint">${msg("wuyeIdentifierHint")}</p>
                    </#if>
                    <@field.password name="password" label=msg("password") error="" forgotPassword=realm.resetPasswordAllowed autofocus=usernameHidden?? autocomplete="current-password">
                        <div id="wuye-capslock-warning" class="wuye-warning" hidden>${msg("wuyeCapsLockOn")}</div>
                        <div id="wuye-fullwidth-warning" class="wuye-warning" hidden>${msg("wuyeFullWidthWarning")}</div>
                        <#if realm.rememberMe && !usernameHidden??>
                            <@field.checkbox name="rememberMe" label=msg("rememberMe") value=login.rememberMe?? />
                        </#if>
                    </@field.password>

                    <#if realm.resetPasswordAllowed>
                        <p id="wuye-activate" class="wuye-hint"><a id="wuye-activate-link" href="${url.loginResetCredentialsUrl}&amp;wuye_purpose=activation">${msg("wuyeActivateLink")}</a></p>
                    </#if>
                    <input type="hidden" id="id-hidden-input" name="credentialId" <#if auth.selectedCredential?has_content>value="${auth.selectedCredential}"</#if>/>
                    <@buttons.loginButton />
                </form>
            </#if>
            </div>
        </div>
        <@passkeys.conditionalUIData />
    <#elseif section = "socialProviders" >
        <#if realm.password && social.providers?? && social.providers?has_content>
            <@identityProviders.show social=social/>
        </#if>
    <#elseif section = "info" >
        <#if realm.password && realm.registrationAllowed && !registrationDisabled??>
            <div id="kc-registration-container">
                <div id="kc-registration">
                    <span>${msg("noAccount")} <a href="${url.registrationUrl}">${msg("doRegister")}</a></span>
                </div>
            </div>
        </#if>
    </#if>
</@layout.registrationLayout>
