## 单个受试者页面（/participants/{id}）：时间窗、结局指标及其依据、
## 图表、访视化验、记录及其各版本、警报和稽查轨迹。

review-window = 时间窗
review-from = 起始（研究中心日期）
review-to = 截止
review-show = 显示
review-about = { $age_group } · 入组 { $enrolled } · 确诊 { $diagnosed }
review-figures-title = 结局指标，{ $from } 至 { $to }（{ $days } 天）
review-glucose = 血糖
review-daily-insulin = 每日胰岛素
review-labs = 访视化验
review-entries = 时间窗内的记录
review-alerts = 警报
review-no-alerts = 没有警报。
review-alert-line = { $created } · { $rule } · { $severity } · { $status }
review-alert-line-note = { $created } · { $rule } · { $severity } · { $status } · { $note }
review-audit = 稽查轨迹
review-audit-when = 时间
review-audit-who = 操作人
review-audit-what = 操作
review-audit-record = 记录

## 指标卡片。

review-mg = { $mg } mg/dL（{ $mmol } mmol/L）
review-units = { $units } U
review-units-per-kg = { $units } U/kg/天
review-card-glucose = 血糖读数
review-glucose-stats = { $count } 个读数 · 均值 { $mean } · 标准差 { $sd } · CV { $cv }
review-glucose-ranges = < 54：{ $below_54 } · 54–69：{ $from_54 } · 70–180：{ $from_70 } · 181–250：{ $from_181 } · > 250：{ $above_250 }
review-no-readings = 时间窗内没有血糖读数。
review-card-insulin = 胰岛素
review-insulin-stats = 日均 { $daily } · { $per_kg }
review-card-hypoglycemia = 低血糖
review-hypo-readings = 读数（按分级）：{ $list }
review-hypo-events = 事件（按分级）：{ $list }
review-hypo-classes = 事件（按 2005 年分类）：{ $list }
review-hypo-severe = 严重事件：{ $n }
review-card-hba1c = HbA1c 和 IDAA1C
review-hba1c-idaa1c = HbA1c { $hba1c } · IDAA1C { $idaa1c }
review-idaa1c-remission = { $value }（部分缓解）
review-card-completeness = 日记完整度
# 各项指标的依据。
review-basis-glucose = 依据 { $days } 天内（{ $from } 至 { $to }）的 { $readings } 个读数；LO/HI 计入范围统计，不计入均值和标准差。
review-basis-insulin = 依据 { $days } 天中有剂量记录的 { $insulin_days } 天；按千克计算时使用每天当天或之前最近的体重。
review-basis-hypoglycemia = 依据 { $events } 份低血糖事件表及 { $days } 天内的血糖读数。
review-basis-idaa1c = { $date } 的 HbA1c 加上 4 × 时间窗内平均 U/kg/天（{ $insulin_days } 天有剂量记录）。
review-basis-idaa1c-no-insulin = { $date } 的 HbA1c；时间窗内没有胰岛素剂量和体重，无法计算 IDAA1C。
review-basis-no-hba1c = 时间窗内没有 HbA1c 结果。
review-basis-completeness = { $days } 天中有 { $with } 天至少有一条记录。

## 图表。

review-glucose-chart = { $n } 个血糖读数；色带为 70 至 180 mg/dL（3.9 至 10.0 mmol/L）
review-insulin-chart = { $n } 天有剂量记录的胰岛素总量
review-insulin-bar = { $date }：{ $units } U

## 记录及其各版本。

review-no-entries = 时间窗内没有记录。
review-removed = （已删除）
review-versions = { $n } 个版本
review-version = 第 { $version } 版
review-version-line = 第 { $version } 版 { $op } · { $what } · 录入人 { $who }，设备 { $device } · 保存于 { $recorded } · 服务器接收于 { $received }
review-late = 延迟同步
review-reason = 原因：{ $reason }
review-op-create = 新建
review-op-amend = 修改
review-op-void = 删除
# 按给出时所带时差显示的时间。
review-at-offset = { $at }（UTC { $offset }）
review-ada2005-class = 2005 年分类：{ $class }
review-potentially-serious = 可能为严重事件
review-entry-glucose = 血糖 { $value }，{ $context }，{ $source }
review-entry-insulin = 胰岛素 { $units } U，{ $type }，{ $purpose }
review-entry-hypo = 低血糖：{ $glucose }；症状：{ $symptoms }；{ $help }；处理：{ $treatments }
review-context-fasting = 空腹
review-context-before-meal = 餐前
review-context-after-meal = 餐后
review-context-bedtime = 睡前
review-context-overnight = 夜间
review-context-other = 其他
review-source-meter = 血糖仪
review-source-cgm = 动态血糖监测
review-insulin-rapid = 速效
review-insulin-short = 短效
review-insulin-intermediate = 中效
review-insulin-long = 长效
review-insulin-premixed = 预混
review-purpose-meal = 餐时
review-purpose-correction = 纠正
review-purpose-basal = 基础
review-symptom-shaky = 发抖
review-symptom-sweating = 出汗
review-symptom-hungry = 饥饿
review-symptom-dizzy = 头晕
review-symptom-confused = 意识模糊
review-symptom-headache = 头痛
review-symptom-blurred-vision = 视物模糊
review-symptom-mood-change = 烦躁或情绪异常
review-hypo-not-measured = 未测血糖
review-hypo-needed-help = 需要他人帮助
review-hypo-no-help = 无需帮助
review-hypo-lost-consciousness = 意识丧失
review-hypo-seizure = 抽搐
review-hypo-no-treatment = 未处理
review-treatment-oral-carbohydrate = 口服碳水化合物
review-treatment-glucagon = 胰高血糖素
review-treatment-iv-glucose = 静脉葡萄糖
review-treatment-emergency-services = 呼叫急救
review-treatment-emergency-department = 急诊
review-treatment-hospital-admission = 住院
review-treatment-other = 其他

## 访视化验。

review-lab-weight = 体重
review-lab-hba1c = HbA1c
review-lab-c-peptide-fasting = 空腹 C 肽
review-lab-c-peptide-stimulated = 刺激后 C 肽
review-lab-other = 其他（免疫学检查等）
review-lab-visit = 访视
review-lab-taken = 采样
review-lab-result = 结果
review-lab-entered-by = 录入人
review-lab-versions = 版本
review-lab-actions = 操作
review-lab-correct = 更正
review-lab-remove = 删除
# 化验结果；measure 为录入的数值和单位。
review-lab-result-line = { $kind }：{ $measure }
review-lab-result-named = { $name }：{ $measure }
review-lab-earlier = 第 { $version } 版：{ $measure }，{ $taken }，录入人 { $who }
review-lab-earlier-reason = 第 { $version } 版：{ $measure }，{ $taken }，录入人 { $who } · 原因：{ $reason }
review-lab-remove-title = 删除 { $taken } 的{ $kind }
review-lab-reason = 原因
review-lab-remove-submit = 删除该化验结果
review-lab-remove-reason-needed = 请说明删除该化验结果的原因。
review-lab-add-title = 添加化验结果
review-lab-correct-title = 更正 { $taken } 的{ $kind }
review-visit-option = { $name }（第 { $day } 天）
review-visit-unscheduled = 计划外
review-lab-taken-on = 采样日期
review-lab-name = 结果名称
review-lab-name-placeholder = 谷氨酸脱羧酶抗体
review-lab-value = 数值
review-lab-unit = 单位
review-lab-correction-reason = 更正原因
review-lab-save = 保存化验结果
review-lab-save-correction = 保存更正
review-lab-reason-needed = 请说明更正该化验结果的原因。
review-lab-taken-needed = 请输入采样日期。
review-lab-name-needed = 请输入结果名称，例如谷氨酸脱羧酶抗体。
review-lab-value-number = 请以数字形式输入结果。
review-lab-value-range = 请输入 { $low } 至 { $high } { $unit } 之间的数值。
# 服务器拒绝的字段。
invalid-visit = 请选择研究访视计划中的一次访视，或选择计划外。
invalid-taken-at = 请输入采样日期：日期，或带时差的时间。
invalid-name = 请输入结果名称，1 至 100 个字符；只有“其他”类结果需要名称。
invalid-value = 请以数字形式输入结果，且在该单位的合理范围内。
invalid-unit = 请选择该结果可用的单位；“其他”类结果的单位为 1 至 20 个字符。
invalid-reason = 请填写 1 至 1000 个字符的原因。
invalid-lab = 页面加载后该化验结果已被修改或删除。请刷新页面，并更正其最新版本。
review-site-times = 时间均为研究中心当地时间（{ $zone }）。
