<#-- wuye: forgot password by 工号, 手机号 or 邮箱; the code goes to the bound mobile, the email link stays the other way.
     The same page, worded for "首次登录 / 激活账号" when wuyeActivation is set. -->
<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<@layout.registrationLayout displayInfo=true displayMessage=!messagesPerField.existsError('username'); section>
    <#if section = "header">
        <#if wuyeActivation!false>${msg("wuyeActivateTitle")}<#else>${msg("emailForgotTitle")}</#if>
    <#elseif section = "form">
        <form id="kc-reset-password-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
            <@field.input name="username" label=msg("wuyeIdentifierLabel") value=auth.attemptedUsername!'' autofocus=true />
            <p id="wuye-identifier-hint" class="wuye-hint">${msg("wuyeIdentifierHint")}</p>

            <@buttons.actionGroup>
              <@buttons.button id="kc-form-buttons" label="doSubmit"/>
              <@buttons.buttonLink href=url.loginUrl label="backToLogin"/>
            </@buttons.actionGroup>
        </form>
    <#elseif section = "info" >
        <span class="${properties.kcLoginMainFooterHelperText!}"><#if wuyeActivation!false>${msg("wuyeActivateInstruction")}<#else>${msg("wuyeResetInstruction")}</#if></span>
    </#if>
</@layout.registrationLayout>
