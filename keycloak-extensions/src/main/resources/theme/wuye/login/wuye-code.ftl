<#-- wuye: enter a one-time code (SMS, email fallback, or authenticator app) for sign-in or password reset. -->
<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('code'); section>
<!-- template: wuye-code.ftl -->
    <#if section = "header">
        <#if wuyePurpose == "activation">${msg("wuyeActivateCodeTitle")}<#elseif wuyePurpose == "reset">${msg("wuyeResetCodeTitle")}<#elseif wuyeMethod == "email">${msg("wuyeCodeTitleEmail")}<#elseif wuyeMethod == "totp">${msg("wuyeCodeTitleTotp")}<#else>${msg("wuyeCodeTitle")}</#if>
    <#elseif section = "form">
        <#if wuyeNotice??>
            <div id="wuye-notice" class="${properties.kcAlertClass!} pf-m-info">
                <span class="${properties.kcAlertTitleClass!}">${msg(wuyeNotice)}</span>
            </div>
        </#if>
        <form id="wuye-code-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post" novalidate="novalidate">
            <#if wuyeMethod == "totp">
                <p id="wuye-code-destination" class="wuye-hint">${msg("wuyeTotpInstruction")}</p>
                <@field.input name="code" label=msg("wuyeTotpLabel") autocomplete="one-time-code" autofocus=true />
            <#else>
                <p id="wuye-code-destination" class="wuye-hint">
                    <#if wuyePurpose == "activation">${msg("wuyeActivateCodeSent", wuyeCodeValidityMinutes)}<#elseif wuyePurpose == "reset">${msg("wuyeResetCodeSent", wuyeCodeValidityMinutes)}<#elseif wuyeMethod == "email">${msg("wuyeCodeSentToEmail", wuyeDestination, wuyeCodeValidityMinutes)}<#else>${msg("wuyeCodeSentTo", wuyeDestination, wuyeCodeValidityMinutes)}</#if>
                </p>
                <@field.input name="code" label=msg("wuyeCodeLabel") autocomplete="one-time-code" autofocus=true />
            </#if>
            <#if wuyeOfferTrust>
                <@field.checkbox name="trustDevice" label=msg("wuyeTrustDevice") value=true />
            </#if>
            <@buttons.actionGroup>
                <@buttons.button id="wuye-code-submit" name="action" label="doSubmit" value="verify"/>
            </@buttons.actionGroup>
            <div class="wuye-code-actions">
                <#if wuyeMethod != "totp">
                    <button id="wuye-code-resend" class="${properties.kcButtonSecondaryClass!}" type="submit" name="action" value="resend" formnovalidate>${msg("wuyeCodeResend")}</button>
                </#if>
                <#if wuyeCanUseTotp>
                    <button id="wuye-use-totp" class="${properties.kcButtonLinkClass!}" type="submit" name="action" value="use-totp" formnovalidate>${msg("wuyeUseTotp")}</button>
                </#if>
                <#if wuyeCanUseSms>
                    <button id="wuye-use-sms" class="${properties.kcButtonLinkClass!}" type="submit" name="action" value="use-sms" formnovalidate>${msg("wuyeUseSms")}</button>
                </#if>
                <#if wuyeCanUseEmailLink>
                    <button id="wuye-use-email-link" class="${properties.kcButtonLinkClass!}" type="submit" name="action" value="use-email-link" formnovalidate>${msg("wuyeUseEmailLink")}</button>
                </#if>
            </div>
        </form>
    </#if>
</@layout.registrationLayout>
