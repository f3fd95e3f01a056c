## 研究者和管理员页面：受试者名单、警报收件箱、按访视的结局指标、
## 新增受试者和研究设置。这些页面共用的词语以 "staff-" 开头。

staff-back-to-roster = ← 全部受试者
staff-saved = 已保存。
# 每个日期字段下方：浏览器可能按其自身顺序显示日期。
staff-date-hint = 日期按“年-月-日”填写，例如 2026-11-14；浏览器可能以其他顺序显示。
# 回答中没有研究中心时区时，以 UTC 显示的时间。
staff-age-child = 儿童
staff-age-adolescent = 青少年
staff-age-adult = 成人
# 记录中的人员："李娜（监护人）"。
staff-person = { $name }（{ $role }）
staff-role-admin = 管理员
staff-role-investigator = 研究者
staff-role-participant = 受试者
staff-role-guardian = 监护人
staff-role-system = 系统
staff-role-anonymous = 未登录
staff-rule-severe-hypoglycemia = 严重低血糖
staff-rule-potentially-serious-event = 可能的严重事件
staff-rule-level2-glucose = 血糖低于 54 mg/dL（3.0 mmol/L）
staff-rule-repeated-level2 = 反复出现 2 级低血糖读数
staff-rule-missed-diary = 日记漏记
staff-rule-other = 警报
staff-severity-critical = 危急
staff-severity-high = 高
staff-severity-info = 提示
staff-status-open = 待处理
staff-status-acknowledged = 已确认
staff-status-resolved = 已解除
# 读数或事件的低血糖分级（美国糖尿病学会）。
staff-level = { $level } 级
staff-level-count = { $level } 级：{ $n }
# 美国糖尿病学会工作组 2005 年分类。
staff-class-severe = 严重
staff-class-documented-symptomatic = 有记录的症状性
staff-class-asymptomatic = 无症状
staff-class-probable-symptomatic = 可能症状性
staff-class-relative = 相对性
staff-class-count = { $class }：{ $n }
staff-hba1c-value = { $value } %（{ $date }）

## 受试者名单（/participants）。

roster-title = 受试者
roster-lead-completeness = 日记完整度统计自入组以来至少有一条记录的天数。
roster-lead-idaa1c = IDAA1C 使用 HbA1c 采血前若干天的胰岛素用量（除非研究设置另有规定，为 7 天）；不超过 9 为部分缓解。
roster-add = 新增受试者
roster-outcomes = 按访视的结局指标
roster-alerts = 警报
roster-loading = 正在加载受试者…
roster-empty = 您的研究中心还没有受试者。
roster-find = 查找
roster-find-placeholder = 研究编号或研究中心
roster-age-all = 全部
roster-age-child = 儿童（12 岁以下）
roster-age-adolescent = 青少年（12–17 岁）
roster-age-adult = 成人（18 岁及以上）
roster-needs-attention = 需要关注
roster-remission = 部分缓解
roster-shown = 共 { $total } 名受试者，显示 { $shown } 名
roster-col-study-id = 研究编号
roster-col-site = 研究中心
roster-col-age-group = 年龄组
roster-col-enrolled = 入组
roster-col-last-entry = 最近记录
roster-col-diary-7 = 日记（7 天）
roster-col-diary-14 = 日记（14 天）
roster-col-open-alerts = 待处理警报
roster-col-hba1c = HbA1c
roster-col-idaa1c = IDAA1C
# 有记录的天数 / 统计天数："86 %（6/7）"。
roster-completeness = { $percent }（{ $done }/{ $days }）
roster-enrolled = { $date }（{ $days } 天）
roster-last-today = 今天（{ $date }）
roster-last-days-ago = { $n } 天前（{ $date }）
roster-silent = 已 { $days } 天无记录
roster-idaa1c-remission = { $value } · 缓解

## 警报（/inbox）。

inbox-title = 警报
inbox-site-times = 时间均为各受试者所属研究中心的当地时间。
inbox-live = 实时：新警报会直接显示在这里，无需刷新。
inbox-new = 新警报
inbox-loading = 正在加载警报…
inbox-empty = 没有待处理的警报。
inbox-empty-filter = 没有符合此筛选条件的警报。
inbox-filter-label = 显示警报
inbox-filter-all = 全部（{ $n }）
inbox-filter-open = 待处理（{ $n }）
inbox-filter-acknowledged = 已确认（{ $n }）
inbox-filter-to-report = 严重事件待上报（{ $n }）
inbox-col-participant = 受试者
inbox-col-alert = 警报
inbox-col-level = 级别
inbox-col-created = 产生时间
inbox-col-clock = 24 小时时限
inbox-col-status = 状态
inbox-col-action = 处理
inbox-readings = （{ $n } 个读数）
inbox-escalated = 已升级至第 { $level } 级联系人
# 可能的严重事件的上报时限；分钟为两位数。
inbox-report-within = 须在 { $hours } 小时 { $minutes } 分钟内上报申办方
inbox-report-overdue = 上报申办方已逾期 { $hours } 小时 { $minutes } 分钟
inbox-reported = 已上报申办方
inbox-note = 备注：{ $note }
inbox-not-delivered = 未送达：{ $list }
# 送达失败：渠道、地址和接收服务器给出的原因。
inbox-delivery = { $channel }至 { $target }（{ $error }）
inbox-what-was-done = 已采取的措施
inbox-acknowledge = 确认
inbox-mark-reported = 已上报申办方
inbox-write-first = 请先填写已采取的措施。
inbox-conflict-acknowledge = 此警报已不再是待处理状态。请刷新页面查看其当前状态。
inbox-conflict-report = 只有可能的严重事件需要上报，且只能上报一次。
invalid-note = 请填写已采取的措施，1 至 2000 个字符。

## 按访视的结局指标（/study/outcomes）。

outcomes-title = 按访视的结局指标
outcomes-lead = 每名受试者按其自身的访视窗口统计（入组后的访视日，前后各加窗口期，截至今天）。指标显示为均值 ± 标准差（有数据的受试者例数）；计数为合计。血糖指标来自指尖血读数：统计的是范围内读数，而非范围内时间。
outcomes-loading = 正在计算指标…
outcomes-figure = 指标
outcomes-visit = { $name }（第 { $day } 天，−{ $before }/+{ $after }）
outcomes-cell-mean-sd = { $mean } ± { $sd }（{ $n } 例）
outcomes-cell-mean = { $mean }（{ $n } 例）
outcomes-cell-none = –（0 例）
outcomes-remission-count = { $of } 例中 { $n } 例
outcomes-row-participants = 窗口内的受试者
outcomes-row-daily-insulin = 每日胰岛素总量（U）
outcomes-row-units-per-kg = 胰岛素（U/kg/天）
outcomes-row-hba1c = HbA1c（%）
outcomes-row-idaa1c = IDAA1C
outcomes-row-remission = 部分缓解（IDAA1C ≤ 9）
outcomes-row-mean-glucose = 平均血糖
outcomes-row-cv = 血糖 CV（%）
outcomes-row-in-range = 70–180 mg/dL 的读数（%）
outcomes-row-readings = 血糖读数
outcomes-row-events-level = 低血糖事件（按分级）
outcomes-row-events-class = 低血糖事件（按 2005 年分类）
outcomes-row-severe = 严重事件
outcomes-row-completeness = 日记完整度（%）

## 新增受试者（/participants/new）。

new-participant-title = 新增受试者
new-participant-site = 研究中心
new-participant-loading-sites = 正在加载研究中心…
new-participant-no-sites = 您还没有负责的研究中心。请联系管理员将您加入研究中心。
new-participant-site-option = { $code } – { $name }
new-participant-study-id = 研究编号
new-participant-study-id-hint = 例如 { $example }：1 至 32 个字母、数字、“-”或“_”。
new-participant-birth-year = 出生年份
new-participant-diagnosis-date = 确诊日期
new-participant-weight = 体重（kg，选填）
new-participant-submit = 新增并显示入组码
new-participant-missing-site = 请选择研究中心。
new-participant-missing-birth-year = 请输入出生年份，例如 2014。
new-participant-missing-study-id = 请输入研究编号，例如 { $example }。
new-participant-missing-diagnosis-date = 请输入确诊日期。
new-participant-bad-weight = 请以 kg 为单位输入体重数字，例如 32.5，或留空。
new-participant-invite-guardian = 邀请监护人
new-participant-add-another = 再新增一名受试者
new-participant-code-title = { $study_id } 的入组码
new-participant-guardian-title = { $study_id } 的监护人邀请码
new-participant-code-lead = 请将此码交给受试者或其家长。仅可使用一次，有效期至 { $expires }。
new-participant-code-label = 入组码
new-participant-print = 打印
# 服务器拒绝的字段。
invalid-study-id = 研究编号为 1 至 32 个字母、数字、“-”或“_”，且不能与其他受试者重复。
invalid-birth-year = 出生年份须在 1900 年至今年之间。
invalid-diagnosis-date = 确诊日期须在出生年份至今天之间。
invalid-weight-kg = 体重须在 1 至 300 kg 之间，或留空。
invalid-site-id = 请选择您负责的研究中心之一。

## 研究设置（/study/settings，管理员）。

settings-title = 研究设置
settings-lead = 每项更改及其操作人都会记录在稽查轨迹中。
settings-study = 研究
settings-sites = 研究中心
settings-thresholds = 警报阈值
settings-outcomes = 结局指标
settings-schedule = 访视计划
settings-advice = 紧急情况建议
settings-study-name = 研究名称
settings-default-language = 默认语言
settings-save-study = 保存研究信息
settings-site-name = 名称
settings-site-timezone = 时区（例如 { $example }）
settings-site-phone = 紧急联系电话
settings-save-site = 保存研究中心
settings-loading-contacts = 正在加载联系人…
settings-contacts-title = 警报联系人（第 0 级最先收到；升级时通知更高级别）
settings-contact-level = 级别
settings-contact-channel = 渠道
settings-channel-email = 电子邮件
settings-channel-webhook = Webhook
settings-contact-target = 地址或 URL
settings-remove = 删除
settings-add-contact = 添加联系人
settings-save-contacts = 保存联系人
settings-new-site = 新增研究中心
settings-new-site-code = 代码（大写字母、数字、“-”）
settings-add-site = 添加该研究中心
settings-repeat = 反复出现 2 级低血糖读数的时间窗（小时）
settings-report = 可能的严重事件须在多少小时内上报
settings-escalate = 危急警报未确认多少分钟后升级
settings-missed = 多少天无记录视为日记漏记
settings-save-thresholds = 保存阈值
settings-idaa1c-days = IDAA1C：HbA1c 采血前计入胰岛素的天数（通常为 3 至 7 天）
settings-save-idaa1c = 保存 IDAA1C 窗口
settings-visit-code = 代码
settings-visit-name = 名称
settings-visit-day = 访视日
settings-visit-before = 可提前天数
settings-visit-after = 可推迟天数
settings-visit-code-label = 第 { $n } 次访视的代码
settings-visit-name-label = 第 { $n } 次访视的名称
settings-visit-day-label = 第 { $n } 次访视的访视日
settings-visit-before-label = 第 { $n } 次访视可提前天数
settings-visit-after-label = 第 { $n } 次访视可推迟天数
settings-add-visit = 添加访视
settings-save-schedule = 保存访视计划
settings-advice-en = 英文
settings-advice-zh = 简体中文
settings-save-advice = 保存建议
# 接口拒绝时的回答。
settings-field-problem = { $field }：{ $why }。
settings-error-status = 服务器返回了 { $status }。
settings-error-unexpected = 无法读取服务器的回答。请刷新页面后重试。
settings-error-csrf = 该请求并非来自日记应用。请刷新页面后重试。
settings-error-conflict = 已存在使用此代码的研究中心。
settings-error-too-large = 内容超出服务器单次可接受的范围。
settings-error-throttled = 尝试次数过多，请稍后再试。
# 接口拒绝某字段时该字段的规则。
settings-invalid-name = 请输入 1 至 200 个字符的名称。
settings-invalid-site-code = 研究中心代码为 1 至 16 个大写字母、数字或“-”。
settings-invalid-timezone = 请输入 IANA 时区名称，例如 { $example }。
settings-invalid-emergency-phone = 请输入电话号码：最多 32 个字符，可包含数字、空格、“+”、“-”和括号，例如 +86 532 8291 1234。
settings-invalid-repeat-window-hours = 反复 2 级低血糖读数的时间窗：1 至 168 小时。
settings-invalid-report-within-hours = 可能的严重事件上报时限：1 至 72 小时。
settings-invalid-escalate-after-minutes = 升级时间：1 至 1440 分钟。
settings-invalid-missed-days = 日记漏记：1 至 30 天。
settings-invalid-idaa1c-dose-days = IDAA1C：计入 1 至 28 天的胰岛素。
settings-invalid-advice = 每条建议为 1 至 2000 个字符。
settings-invalid-visits = 访视计划包含 1 至 50 次访视。
settings-invalid-contacts = 每个研究中心最多 50 个警报联系人。
settings-invalid-visit-code = 第 { $n } 次访视：代码为 1 至 40 个小写字母、数字或下划线，不能为“{ $reserved }”，且不能重复。
settings-invalid-visit-name = 第 { $n } 次访视：名称为 1 至 100 个字符。
settings-invalid-visit-day = 第 { $n } 次访视：访视日为入组后 0 至 3650 天，且须晚于上一次访视。
settings-invalid-visit-before = 第 { $n } 次访视：可提前 0 至 365 天，且窗口不能与上一次访视重叠。
settings-invalid-visit-after = 第 { $n } 次访视：可推迟 0 至 365 天。
settings-invalid-contact-level = 第 { $n } 个联系人：级别为 0 至 9。
settings-invalid-contact-channel = 第 { $n } 个联系人：渠道为电子邮件或 Webhook。
settings-invalid-contact-target = 第 { $n } 个联系人：请填写电子邮件地址；Webhook 须为公共接收端的 https URL。
