## 手机应用（/diary）：参与者和监护人看到的文字。
## 保存、取消、关闭、是、否和语言见 common.ftl。

phone-app-name = T1D 电子日记
phone-demo-badge = 演示：虚构数据
phone-logging-for = 正在为以下参与者记录
phone-opening = 正在打开日记…
phone-no-diary = 此账号没有日记。
phone-sign-in-to-open = 请先登录以打开日记。
phone-sign-in = 登录

## 标签页。

phone-today = 今天
phone-history = 记录
phone-settings = 设置

## 状态栏：发送与同步。

phone-sign-in-again = 登录已过期。请重新登录以发送待发送的记录：手机上的记录不会丢失。
phone-status-sent = 全部已发送 · 上次同步 { $time }
phone-status-never-sent = 尚未同步
phone-status-pending = 待发送：{ $n } 条
phone-status-offline = 离线：记录保存在本机
phone-status-sending = 正在发送…
phone-status-refused = 未被接受：{ $n } 条，请查看记录
phone-sync-now = 立即同步

## 今天。

phone-last-glucose = 最近血糖
phone-no-readings = 暂无血糖记录
phone-insulin-today = 今日胰岛素
# $u：单位数（“12.5”）；$n：注射次数。
phone-insulin-total = { $n ->
   *[other] 共 { $n } 次，{ $u } 单位
}
phone-lows-today = 今日低血糖
phone-no-lows-today = 今日无低血糖
phone-reminder-due = 提醒：今天还没有记录血糖。
phone-glucose = 血糖
phone-insulin = 胰岛素
phone-low = 低血糖

## 所有表单。

phone-event-time = 时间
phone-reason-edit = 修改原因
phone-reason-needed = 请填写原因。
phone-saved = 已保存。
phone-saved-unit-mixup = 已保存。该数字更像另一种单位：如有误请修改记录。
phone-err-time = 时间不能晚于现在，也不能早于入组日期。
phone-err-saving = 无法保存在本机，请重试。

## 血糖表单。

phone-log-glucose = 记录血糖
phone-edit-glucose = 修改血糖记录
phone-reading = 读数
phone-reading-hint = 血糖仪上的数字
phone-unit = 单位
phone-context = 测量时间
# $other 和 $unit：“mg/dL”或“mmol/L”。
phone-unit-mixup = 这个数字更像是 { $other }，而不是 { $unit }。保存前请核对单位。
phone-out-of-range = 这不是有效的 { $unit } 读数。
phone-enter-reading = 请输入数字，或点按 LO 或 HI。
phone-context-fasting = 空腹
phone-context-before-meal = 餐前
phone-context-after-meal = 餐后
phone-context-bedtime = 睡前
phone-context-overnight = 夜间
phone-context-other = 其他

## 胰岛素表单。

phone-log-insulin = 记录胰岛素
phone-edit-insulin = 修改胰岛素记录
phone-dose = 剂量
phone-dose-hint = 单位，例如 4.5
phone-dose-range = 剂量须大于 0 且不超过 100 单位。
phone-insulin-kind = 胰岛素类型
phone-purpose = 用途
phone-insulin-rapid = 速效
phone-insulin-short = 短效
phone-insulin-intermediate = 中效
phone-insulin-long = 长效
phone-insulin-premixed = 预混
phone-purpose-meal = 餐时
phone-purpose-correction = 纠正高血糖
phone-purpose-basal = 基础

## 低血糖表单与求助页面。

phone-log-low = 记录低血糖
phone-edit-low = 修改低血糖记录
phone-symptoms = 症状
phone-symptom-shaky = 发抖
phone-symptom-sweating = 出汗
phone-symptom-hungry = 饥饿
phone-symptom-dizzy = 头晕
phone-symptom-confused = 意识模糊
phone-symptom-headache = 头痛
phone-symptom-blurred-vision = 视物模糊
phone-symptom-mood-change = 烦躁或情绪异常
phone-needed-help = 是否需要他人帮助（喂糖、注射胰高血糖素或其他处理）？
phone-what-happened = 是否发生以下情况？
phone-lost-consciousness = 失去意识
phone-seizure = 抽搐
phone-treatments = 处理
phone-treatment-oral-carbohydrate = 口服糖、果汁或食物
phone-treatment-glucagon = 胰高血糖素
phone-treatment-iv-glucose = 静脉注射葡萄糖
phone-treatment-emergency-services = 呼叫救护车（120）
phone-treatment-emergency-department = 前往急诊
phone-treatment-hospital-admission = 住院
phone-treatment-other = 其他
phone-glucose-if-measured = 血糖值（{ $unit }，如已测量）
phone-enter-number-or-empty = 请输入血糖数字，或留空。
# $level：分级，可能带分类（“3 级 · 严重”）。
phone-classified-as = 本次低血糖：{ $level }
phone-not-a-low = 按所填数值不属于低血糖
phone-serious-note = 可能为严重事件：研究团队会立即收到通知。
phone-get-help = 立即求助
phone-call-team = 拨打研究团队电话：{ $phone }

## 低血糖分级（ADA 分级与 2005 年分类）。

phone-level-0 = 非低血糖
phone-level-1 = 1 级
phone-level-2 = 2 级
phone-level-3 = 3 级
phone-level-with-class = { $level } · { $class }
phone-class-severe = 严重
phone-class-documented-symptomatic = 有记录的症状性
phone-class-asymptomatic = 无症状
phone-class-probable-symptomatic = 可能症状性
phone-class-relative = 相对性

## 历史记录：图表、记录及其版本。

phone-history-title = 历史记录
# $n：7 或 14；$unit：“mg/dL”或“mmol/L”；$lo 和 $hi：该单位下的数值。
phone-chart-title = { $n ->
   *[other] 最近 { $n } 天血糖（{ $unit }）；阴影为目标范围 { $lo }–{ $hi }
}
phone-chart-summary = { $n ->
   *[other] 共 { $n } 次读数，{ $low } 次低于目标范围
}
phone-chart-empty = 这段时间没有血糖记录。
# 图表时间轴左端：$n 天前。
phone-chart-start = -{ $n }
phone-no-entries = 暂无记录。
# $value：读数（“5.6”、“LO”）；$unit：“mg/dL”或“mmol/L”。
phone-glucose-line = { $value } { $unit } · { $context }
# $u：单位数（“4.5”）。
phone-insulin-line = { $u } 单位 · { $type } · { $purpose }
phone-low-line = 低血糖 · { $level }
phone-entered-by = 记录人：{ $who }
phone-who-you = 您
phone-who-participant = 参与者
phone-who-guardian = 监护人
phone-who-staff = 研究团队
phone-waiting-to-send = 待发送
phone-removed = 已删除
phone-late = 补录
phone-change = 修改
phone-remove = 删除
phone-reason-remove = 删除原因
phone-confirm-remove = 确认删除
phone-versions = 历史版本
phone-version = 第 { $n } 版
phone-versions-offline = 联网后可查看更早的版本。

## 服务器未接受的记录。

phone-refused = 未被接受：{ $why }
phone-err-conflict = 该记录已在其他设备上被修改：请查看后如有需要再修改。
phone-refused-not-yours = 此日记已不再关联到您的账号。
phone-refused-other = 服务器无法使用这条记录。
phone-fix-it = 修改后重新发送
phone-discard = 放弃此条

## 设置。

phone-settings-title = 设置
phone-glucose-unit = 血糖单位
phone-reminder = 每日提醒
phone-reminder-hint = 到达此时间后，如当天尚未记录血糖，应用会提醒您。
phone-sign-out = 退出登录
phone-sign-out-pending = { $n ->
   *[other] 还有 { $n } 条记录未发送。它们会保存在本机，重新登录后自动发送。
}
phone-sign-out-anyway = 退出并保留记录
