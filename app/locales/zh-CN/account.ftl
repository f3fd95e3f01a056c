## 登录、入组、双重验证设置、已登录设备、研究横幅。

banner-demo = 演示：数据均为虚构，不用于真实受试者
sign-in-title = 登录
sign-in-lead = 您的研究日记：血糖、胰岛素和低血糖事件。
sign-in-username = 用户名
sign-in-password = 密码
sign-in-show = 显示
sign-in-hide = 隐藏
sign-in-first-time = 首次登录？
sign-in-set-up-mfa = 设置双重验证登录
sign-in-code = 身份验证器应用中的验证码
sign-in-submit = 登录
sign-in-pending = 正在登录…
sign-in-missing-both = 请输入用户名和密码。
sign-in-missing-username = 请输入用户名。
sign-in-missing-password = 请输入密码。
sign-in-enroll-link = 有研究团队给的入组码？加入研究
sign-in-signed-in = 已登录，正在打开您的页面…

enroll-title = 加入研究
enroll-lead = 请使用研究团队提供的入组码。入组码只能使用一次，7 天内有效。
enroll-code = 入组码
enroll-name = 您的名字
enroll-username = 用户名
enroll-password = 密码（至少 { $min } 个字符）
enroll-submit = 加入
enroll-pending = 正在加入…
enroll-missing-code = 请输入研究团队提供的入组码。
enroll-missing-name = 请输入您的名字并设置用户名。
enroll-short-password = 请设置至少 { $min } 个字符的密码。

mfa-title = 设置双重验证登录
mfa-lead = 工作人员登录需要密码和身份验证器应用中的验证码。请先确认您的密码。
mfa-username = 用户名
mfa-password = 密码
mfa-setup-code = 设置码（仅在管理员重置后需要）
mfa-continue = 继续
mfa-scan = 用身份验证器应用扫描
mfa-key = 或输入此密钥：
mfa-recovery-title = 恢复码
mfa-recovery-lead = 手机丢失时，每个恢复码可使用一次。请妥善保管，恢复码不会再次显示。
mfa-sign-in = 用验证码登录

sessions-title = 已登录的设备
sessions-unknown-device = 未知设备
sessions-times = 登录于 { $signed_in }，最近使用 { $last_used }
sessions-this-device = 本设备
sessions-end = 退出
sessions-back = 返回

not-found-title = 找不到页面
not-found-lead = 此地址不属于本日记。
not-found-home = 前往登录

diary-open = 打开日记
diary-needs-script = 本日记需要启用 JavaScript。

## 工作人员页面的导航栏。

nav-label = 研究工作台
nav-participants = 受试者
nav-alerts = 警报
nav-alerts-open = 警报（{ $n } 条未处理）
nav-outcomes = 研究数据
nav-settings = 设置
nav-devices = 已登录的设备
nav-diary = 日记
nav-sign-out = 退出登录
nav-signed-in-as = 当前登录
