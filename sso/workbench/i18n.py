"""Page language: zh-CN first, English switchable; every text has both, looked up by key.

The choice is a cookie (``wuye_lang``) set by ``/lang/{code}``; it is also passed to Keycloak as
``ui_locales`` so the sign-in page speaks the same language.
"""

from __future__ import annotations

from dataclasses import dataclass

from sso.catalog import Label

LANGUAGES = ("zh-CN", "en")

MESSAGES: dict[str, Label] = {
    "app.name": Label("物业工作台", "Staff workbench"),
    "app.edition": Label("物业版", "Staff edition"),
    "nav.home": Label("首页", "Home"),
    "nav.sign_out": Label("退出登录", "Sign out"),
    "nav.language": Label("English", "中文"),
    "home.greeting": Label("您好,{name}", "Hello, {name}"),
    "home.profile": Label("我的信息", "My profile"),
    "home.employee_no": Label("工号", "Employee number"),
    "home.rank": Label("职级", "Rank"),
    "home.departments": Label("部门", "Departments"),
    "home.sites": Label("项目", "Sites"),
    "home.areas": Label("我的功能", "My areas"),
    "home.no_areas": Label("您暂无可用的功能。", "No areas are open to you yet."),
    "home.account": Label("账号安全", "Account security"),
    "home.change_password": Label("修改密码", "Change password"),
    "home.setup_2fa": Label("设置两步验证", "Set up two-factor authentication"),
    "common.none": Label("无", "none"),
    "area.placeholder": Label("此处为{area}的示例内容。", "Sample content of {area}."),
    "forbidden.title": Label("无权限", "Permission required"),
    "forbidden.missing": Label(
        "打开“{area}”需要权限:{permission}", "Opening “{area}” needs the permission: {permission}"
    ),
    "forbidden.current": Label(
        "您当前的职级:{rank};部门:{departments}", "Your current rank: {rank}; departments: {departments}"
    ),
    "forbidden.how": Label("如何开通", "How to get it"),
    "owner.title": Label("这是物业版(员工使用)", "This is the staff edition (物业版)"),
    "owner.body": Label(
        "物业工作台只供物业公司员工使用。业主请使用业主版。",
        "The workbench is for property-company staff only. Owners please use the owners' app (业主版).",
    ),
    "owner.link": Label("前往业主版", "Go to the owners' app"),
    "owner.other_account": Label("使用其他账号登录", "Sign in with another account"),
    "unavailable.title": Label("登录服务暂不可用", "Sign-in service unavailable"),
    "unavailable.body": Label(
        "暂时无法连接统一登录服务,请稍后刷新重试。",
        "The sign-in service cannot be reached right now. Please retry shortly.",
    ),
    "retry": Label("重试", "Retry"),
    "signin_failed.title": Label("登录未完成", "Sign-in not completed"),
    "signin_failed.body": Label(
        "登录请求无效或已过期,请重新登录。", "The sign-in request is invalid or has expired. Please sign in again."
    ),
    "sign_in": Label("登录", "Sign in"),
    "signed_out.title": Label("您已安全退出", "You have signed out"),
    "signed_out.body": Label("您已退出物业工作台。", "You have signed out of the staff workbench."),
    "csrf.title": Label("请求已过期", "Request expired"),
    "csrf.body": Label("页面已过期,请返回后重试。", "The page has expired; please go back and try again."),
    "workorders.unavailable": Label(
        "工单服务暂不可用,请稍后重试。", "The work-order service is unavailable; please retry later."
    ),
    "workorders.empty": Label("暂无工单。", "No work orders."),
    "workorders.id": Label("编号", "No."),
    "workorders.title": Label("标题", "Title"),
    "workorders.site": Label("项目", "Site"),
    "workorders.status": Label("状态", "Status"),
    "not_found.title": Label("页面不存在", "Page not found"),
    "step_up.title": Label("需要二次验证", "Second factor required"),
    "step_up.body": Label(
        "此页面涉及敏感权限,需在本次登录中完成短信验证码或动态口令验证。请重新验证;如仍无法通过,请联系系统管理员。",
        "This page needs a sensitive permission: sign in again with an SMS code or an authenticator code. "
        "If that does not work, ask your system administrator.",
    ),
    "step_up.again": Label("重新验证", "Verify again"),
    "helpdesk.title": Label("账号管理", "Accounts"),
    "helpdesk.unconfigured": Label(
        "帮助台未配置服务账号(WUYE_HELPDESK_CLIENT_SECRET)。",
        "The help desk has no service account (WUYE_HELPDESK_CLIENT_SECRET).",
    ),
    "home.forget_devices": Label("忘记已信任的设备", "Forget my trusted devices"),
    "home.forget_devices_hint": Label(
        "退出所有设备上的登录;所有浏览器再次登录时都需输入验证码。",
        "Signs you out on every device; every browser asks for a code at the next sign-in.",
    ),
    "devices.forgotten.title": Label("已忘记所有受信任的设备", "Trusted devices forgotten"),
    "devices.forgotten.body": Label(
        "您已在所有设备上退出登录,任何浏览器再次登录时都需要输入验证码。",
        "You are signed out on every device; any browser now asks for a code at the next sign-in.",
    ),
    "devices.failed.title": Label("操作未完成", "Not done"),
    "devices.failed.body": Label(
        "暂时无法退出所有设备,请稍后重试或联系系统管理员。",
        "Signing out everywhere failed; please retry later or ask your system administrator.",
    ),
}


def choose(cookie_value: str | None, default: str) -> str:
    if cookie_value in LANGUAGES:
        return str(cookie_value)
    return default if default in LANGUAGES else LANGUAGES[0]


@dataclass(frozen=True)
class Translator:
    language: str

    @property
    def is_zh(self) -> bool:
        return self.language.startswith("zh")

    @property
    def other_language(self) -> str:
        return "en" if self.is_zh else "zh-CN"

    def label(self, label: Label) -> str:
        return label.zh if self.is_zh else label.en

    def __call__(self, key: str, **values: object) -> str:
        return self.label(MESSAGES[key]).format(**values)

    def both(self, key: str) -> str:
        """Primary language first, then the other: for pages someone may need to show a colleague."""
        message = MESSAGES[key]
        first, second = (message.zh, message.en) if self.is_zh else (message.en, message.zh)
        return f"{first} {second}"
