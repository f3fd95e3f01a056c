## 服务器返回的错误，以页面显示的文字表达。

errors-unavailable = 服务暂时不可用，请稍后再试。
errors-invalid-credentials = 用户名或密码错误。
errors-sign-in-first = 请先登录。
errors-not-allowed = 您无权进行此操作。
errors-mfa-required = 请输入身份验证器应用中的 6 位验证码。
errors-throttled = 尝试次数过多，请在 { $seconds } 秒后重试。
errors-communication = 无法连接服务器，请检查网络后重试。
errors-invalid-other = 部分填写内容无法使用，请检查表单后重试。

## 单个字段的规则，在服务器拒绝该字段时显示。

invalid-username = 用户名为 { $username_min } 至 { $username_max } 个字符：字母、数字、点、连字符或下划线。
invalid-password = 密码太短或太容易被猜到。请至少使用 { $password_min } 个字符，例如几个不相关的词语。
invalid-display-name = 请输入不超过 100 个字符的名字。
invalid-code = 入组码无效或已被使用，请向研究团队索取新的入组码。
invalid-totp = 验证码不正确。请输入身份验证器应用当前显示的 6 位数字。
invalid-setup-code = 设置码不正确或已过期，请向管理员索取新的设置码。
invalid-mfa = 双重验证登录已设置。如手机丢失，请联系管理员重置。
invalid-current-password = 当前密码不正确。
