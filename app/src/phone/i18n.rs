//! The phone app's words in English and Simplified Chinese. Every key holds
//! both languages side by side, so a missing translation does not compile;
//! sentences with values are whole templates with named slots (`{n}`), never
//! pieces glued together, because word order differs between the languages.

use chrono::{Datelike, NaiveDate};

use crate::domain::{
    classification::Ada2005Class,
    entry::{GlucoseContext, InsulinPurpose, InsulinType, Treatment},
    glucose::GlucoseUnit,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh")]
    Zh,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }

    /// The language for a browser's language tag ("zh-CN", "en-US").
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// Chinese sites report mmol/L; mg/dL is the American habit.
    pub fn default_unit(self) -> GlucoseUnit {
        match self {
            Lang::En => GlucoseUnit::MgDl,
            Lang::Zh => GlucoseUnit::MmolL,
        }
    }
}

/// Every string of the phone app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    AppName,
    DemoBadge,
    Today,
    History,
    Settings,
    Save,
    Cancel,
    Close,
    Opening,
    NoDiary,
    SignInToOpen,
    SignInAgain,
    SignIn,
    LoggingFor,
    StatusSent,
    StatusNeverSent,
    StatusPending,
    StatusOffline,
    StatusSending,
    StatusRefused,
    SyncNow,
    LastGlucose,
    NoReadings,
    InsulinToday,
    InsulinTotal,
    LowsToday,
    NoLowsToday,
    Glucose,
    Insulin,
    Low,
    ReminderDue,
    LogGlucose,
    EditGlucose,
    Reading,
    ReadingHint,
    Unit,
    Context,
    UnitMixup,
    OutOfRange,
    EnterReading,
    LogInsulin,
    EditInsulin,
    Dose,
    DoseHint,
    DoseRange,
    InsulinKind,
    Purpose,
    LogLow,
    EditLow,
    Symptoms,
    NeededHelp,
    Yes,
    No,
    WhatHappened,
    LostConsciousness,
    Seizure,
    Treatments,
    GlucoseIfMeasured,
    EnterNumberOrEmpty,
    ClassifiedAs,
    NotALow,
    SeriousNote,
    GetHelp,
    CallTeam,
    HistoryTitle,
    Days7,
    Days14,
    ChartTitle,
    ChartSummary,
    ChartEmpty,
    NoEntries,
    EnteredBy,
    WaitingToSend,
    Removed,
    Late,
    Edit,
    Remove,
    ReasonEdit,
    ReasonRemove,
    ReasonNeeded,
    ConfirmRemove,
    Versions,
    VersionN,
    VersionsOffline,
    Refused,
    FixIt,
    Discard,
    SettingsTitle,
    GlucoseUnitLabel,
    Language,
    Reminder,
    ReminderHint,
    SignOut,
    SignOutPending,
    SignOutAnyway,
    Saved,
    SavedUnitMixup,
    ErrTime,
    ErrConflict,
    ErrSaving,
    WhoYou,
    WhoParticipant,
    WhoGuardian,
    WhoStaff,
    UnitsShort,
    LowLine,
    Level0,
    Level1,
    Level2,
    Level3,
}

/// The words of `key` in `lang`.
pub fn text(lang: Lang, key: T) -> &'static str {
    let (en, zh) = match key {
        T::AppName => ("T1D eDiary", "T1D 电子日记"),
        T::DemoBadge => ("Demo: made-up data", "演示：虚构数据"),
        T::Today => ("Today", "今天"),
        T::History => ("History", "记录"),
        T::Settings => ("Settings", "设置"),
        T::Save => ("Save", "保存"),
        T::Cancel => ("Cancel", "取消"),
        T::Close => ("Close", "关闭"),
        T::Opening => ("Opening your diary…", "正在打开日记…"),
        T::NoDiary => ("This account keeps no diary.", "此账号没有日记。"),
        T::SignInToOpen => ("Sign in to open your diary.", "请先登录以打开日记。"),
        T::SignInAgain => (
            "Your session has ended. Sign in again to send what is waiting: nothing on this phone is lost.",
            "登录已过期。请重新登录以发送待发送的记录：手机上的记录不会丢失。",
        ),
        T::SignIn => ("Sign in", "登录"),
        T::LoggingFor => ("Logging for", "正在为以下参与者记录"),
        T::StatusSent => (
            "All sent · last sync {time}",
            "全部已发送 · 上次同步 {time}",
        ),
        T::StatusNeverSent => ("Not synced yet", "尚未同步"),
        T::StatusPending => ("Waiting to be sent: {n}", "待发送：{n} 条"),
        T::StatusOffline => (
            "Offline: entries stay on this phone",
            "离线：记录保存在本机",
        ),
        T::StatusSending => ("Sending…", "正在发送…"),
        T::StatusRefused => (
            "Not accepted: {n}, see History",
            "未被接受：{n} 条，请查看记录",
        ),
        T::SyncNow => ("Sync now", "立即同步"),
        T::LastGlucose => ("Last glucose", "最近血糖"),
        T::NoReadings => ("No readings yet", "暂无血糖记录"),
        T::InsulinToday => ("Insulin today", "今日胰岛素"),
        T::InsulinTotal => ("{u} U from {n} dose(s)", "共 {n} 次，{u} 单位"),
        T::LowsToday => ("Lows today", "今日低血糖"),
        T::NoLowsToday => ("No lows today", "今日无低血糖"),
        T::Glucose => ("Glucose", "血糖"),
        T::Insulin => ("Insulin", "胰岛素"),
        T::Low => ("Low", "低血糖"),
        T::ReminderDue => (
            "Reminder: no glucose logged yet today.",
            "提醒：今天还没有记录血糖。",
        ),
        T::LogGlucose => ("Log glucose", "记录血糖"),
        T::EditGlucose => ("Change glucose reading", "修改血糖记录"),
        T::Reading => ("Reading", "读数"),
        T::ReadingHint => ("The number on the meter", "血糖仪上的数字"),
        T::Unit => ("Unit", "单位"),
        T::Context => ("When", "测量时间"),
        T::UnitMixup => (
            "This number looks like {other}, not {unit}. Check the unit before saving.",
            "这个数字更像是 {other}，而不是 {unit}。保存前请核对单位。",
        ),
        T::OutOfRange => (
            "This is not a possible reading in {unit}.",
            "这不是有效的 {unit} 读数。",
        ),
        T::EnterReading => (
            "Type the number, or tap LO or HI.",
            "请输入数字，或点按 LO 或 HI。",
        ),
        T::LogInsulin => ("Log insulin", "记录胰岛素"),
        T::EditInsulin => ("Change insulin dose", "修改胰岛素记录"),
        T::Dose => ("Dose", "剂量"),
        T::DoseHint => ("units, such as 4.5", "单位，例如 4.5"),
        T::DoseRange => (
            "A dose is more than 0 and at most 100 units.",
            "剂量须大于 0 且不超过 100 单位。",
        ),
        T::InsulinKind => ("Insulin", "胰岛素类型"),
        T::Purpose => ("For", "用途"),
        T::LogLow => ("Log a low", "记录低血糖"),
        T::EditLow => ("Change low", "修改低血糖记录"),
        T::Symptoms => ("Symptoms", "症状"),
        T::NeededHelp => (
            "Did someone else have to help (give sugar, glucagon or other treatment)?",
            "是否需要他人帮助（喂糖、注射胰高血糖素或其他处理）？",
        ),
        T::Yes => ("Yes", "是"),
        T::No => ("No", "否"),
        T::WhatHappened => ("Did any of these happen?", "是否发生以下情况？"),
        T::LostConsciousness => ("Lost consciousness", "失去意识"),
        T::Seizure => ("Seizure", "抽搐"),
        T::Treatments => ("Treatment", "处理"),
        T::GlucoseIfMeasured => ("Glucose, if measured", "血糖值（如已测量）"),
        T::EnterNumberOrEmpty => (
            "Type the glucose as a number, or leave it empty.",
            "请输入血糖数字，或留空。",
        ),
        T::ClassifiedAs => ("This low is: {level}", "本次低血糖：{level}"),
        T::NotALow => ("Not low by the numbers given", "按所填数值不属于低血糖"),
        T::SeriousNote => (
            "Potentially serious: the study team is told at once.",
            "可能为严重事件：研究团队会立即收到通知。",
        ),
        T::GetHelp => ("Get help now", "立即求助"),
        T::CallTeam => ("Call the study team: {phone}", "拨打研究团队电话：{phone}"),
        T::HistoryTitle => ("History", "历史记录"),
        T::Days7 => ("7 days", "7 天"),
        T::Days14 => ("14 days", "14 天"),
        T::ChartTitle => (
            "Glucose over the last {n} days ({unit}); the shaded band is the target range {lo}–{hi}",
            "最近 {n} 天血糖（{unit}）；阴影为目标范围 {lo}–{hi}",
        ),
        T::ChartSummary => (
            "{n} readings, {low} below the target range",
            "共 {n} 次读数，{low} 次低于目标范围",
        ),
        T::ChartEmpty => ("No readings in these days.", "这段时间没有血糖记录。"),
        T::NoEntries => ("No entries yet.", "暂无记录。"),
        T::EnteredBy => ("by {who}", "记录人：{who}"),
        T::WaitingToSend => ("waiting to be sent", "待发送"),
        T::Removed => ("removed", "已删除"),
        T::Late => ("entered late", "补录"),
        T::Edit => ("Change", "修改"),
        T::Remove => ("Remove", "删除"),
        T::ReasonEdit => ("Why change it?", "修改原因"),
        T::ReasonRemove => ("Why remove it?", "删除原因"),
        T::ReasonNeeded => ("Give a reason.", "请填写原因。"),
        T::ConfirmRemove => ("Remove entry", "确认删除"),
        T::Versions => ("Versions", "历史版本"),
        T::VersionN => ("Version {n}", "第 {n} 版"),
        T::VersionsOffline => (
            "Earlier versions show when there is a connection.",
            "联网后可查看更早的版本。",
        ),
        T::Refused => ("Not accepted: {why}", "未被接受：{why}"),
        T::FixIt => ("Fix and send again", "修改后重新发送"),
        T::Discard => ("Drop it", "放弃此条"),
        T::SettingsTitle => ("Settings", "设置"),
        T::GlucoseUnitLabel => ("Glucose unit", "血糖单位"),
        T::Language => ("Language", "语言"),
        T::Reminder => ("Daily reminder", "每日提醒"),
        T::ReminderHint => (
            "After this time the app reminds you if no glucose was logged that day.",
            "到达此时间后，如当天尚未记录血糖，应用会提醒您。",
        ),
        T::SignOut => ("Sign out", "退出登录"),
        T::SignOutPending => (
            "{n} entries are not sent yet. They stay on this phone and are sent after you sign in again.",
            "还有 {n} 条记录未发送。它们会保存在本机，重新登录后自动发送。",
        ),
        T::SignOutAnyway => ("Sign out and keep them", "退出并保留记录"),
        T::Saved => ("Saved.", "已保存。"),
        T::SavedUnitMixup => (
            "Saved. The number looks like the other unit: change the entry if it is wrong.",
            "已保存。该数字更像另一种单位：如有误请修改记录。",
        ),
        T::ErrTime => (
            "The time must not be in the future or before enrolment.",
            "时间不能晚于现在，也不能早于入组日期。",
        ),
        T::ErrConflict => (
            "Changed on another phone meanwhile: look at the entry and change it again if needed.",
            "该记录已在其他设备上被修改：请查看后如有需要再修改。",
        ),
        T::ErrSaving => (
            "Could not save on this phone. Try again.",
            "无法保存在本机，请重试。",
        ),
        T::WhoYou => ("you", "您"),
        T::WhoParticipant => ("participant", "参与者"),
        T::WhoGuardian => ("guardian", "监护人"),
        T::WhoStaff => ("study team", "研究团队"),
        T::UnitsShort => ("{u} U", "{u} 单位"),
        T::LowLine => ("Low · {level}", "低血糖 · {level}"),
        T::Level0 => ("not low", "非低血糖"),
        T::Level1 => ("level 1", "1 级"),
        T::Level2 => ("level 2", "2 级"),
        T::Level3 => ("level 3", "3 级"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A template with its slots filled: `fill("{n} left", &[("n", "3")])`.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

pub fn context(lang: Lang, c: GlucoseContext) -> &'static str {
    let (en, zh) = match c {
        GlucoseContext::Fasting => ("Fasting", "空腹"),
        GlucoseContext::BeforeMeal => ("Before a meal", "餐前"),
        GlucoseContext::AfterMeal => ("After a meal", "餐后"),
        GlucoseContext::Bedtime => ("Bedtime", "睡前"),
        GlucoseContext::Overnight => ("Overnight", "夜间"),
        GlucoseContext::Other => ("Other", "其他"),
    };
    pick(lang, en, zh)
}

pub fn insulin_type(lang: Lang, t: InsulinType) -> &'static str {
    let (en, zh) = match t {
        InsulinType::Rapid => ("Rapid-acting", "速效"),
        InsulinType::Short => ("Short-acting", "短效"),
        InsulinType::Intermediate => ("Intermediate (NPH)", "中效"),
        InsulinType::Long => ("Long-acting", "长效"),
        InsulinType::Premixed => ("Premixed", "预混"),
    };
    pick(lang, en, zh)
}

pub fn purpose(lang: Lang, p: InsulinPurpose) -> &'static str {
    let (en, zh) = match p {
        InsulinPurpose::Meal => ("A meal", "餐时"),
        InsulinPurpose::Correction => ("A correction", "纠正高血糖"),
        InsulinPurpose::Basal => ("Basal", "基础"),
    };
    pick(lang, en, zh)
}

pub fn treatment(lang: Lang, t: Treatment) -> &'static str {
    let (en, zh) = match t {
        Treatment::OralCarbohydrate => ("Sugar, juice or food", "口服糖、果汁或食物"),
        Treatment::Glucagon => ("Glucagon", "胰高血糖素"),
        Treatment::IvGlucose => ("Glucose by drip (IV)", "静脉注射葡萄糖"),
        Treatment::EmergencyServices => ("Called an ambulance (120)", "呼叫救护车（120）"),
        Treatment::EmergencyDepartment => ("Went to the emergency department", "前往急诊"),
        Treatment::HospitalAdmission => ("Admitted to hospital", "住院"),
        Treatment::Other => ("Something else", "其他"),
    };
    pick(lang, en, zh)
}

/// The symptoms checklist: the stored word, and what the person reads.
pub const SYMPTOMS: [&str; 8] = [
    "shaky",
    "sweating",
    "hungry",
    "dizzy",
    "confused",
    "headache",
    "blurred_vision",
    "mood_change",
];

pub fn symptom(lang: Lang, key: &str) -> String {
    let (en, zh) = match key {
        "shaky" => ("Shaky", "发抖"),
        "sweating" => ("Sweating", "出汗"),
        "hungry" => ("Hungry", "饥饿"),
        "dizzy" => ("Dizzy", "头晕"),
        "confused" => ("Confused", "意识模糊"),
        "headache" => ("Headache", "头痛"),
        "blurred_vision" => ("Blurred vision", "视物模糊"),
        "mood_change" => ("Irritable or upset", "烦躁或情绪异常"),
        other => return other.replace('_', " "),
    };
    pick(lang, en, zh).to_owned()
}

pub fn level(lang: Lang, ada_level: u8) -> &'static str {
    text(
        lang,
        match ada_level {
            0 => T::Level0,
            1 => T::Level1,
            2 => T::Level2,
            _ => T::Level3,
        },
    )
}

pub fn class_2005(lang: Lang, c: Ada2005Class) -> &'static str {
    let (en, zh) = match c {
        Ada2005Class::Severe => ("severe", "严重"),
        Ada2005Class::DocumentedSymptomatic => ("documented symptomatic", "有记录的症状性"),
        Ada2005Class::Asymptomatic => ("asymptomatic", "无症状"),
        Ada2005Class::ProbableSymptomatic => ("probable symptomatic", "可能症状性"),
        Ada2005Class::Relative => ("relative", "相对性"),
    };
    pick(lang, en, zh)
}

/// Who saved a version, from the entry's `entered_by_role` ("you" when it
/// was the signed-in user).
pub fn who(lang: Lang, role: &str) -> &'static str {
    text(
        lang,
        match role {
            "you" => T::WhoYou,
            "participant" => T::WhoParticipant,
            "guardian" => T::WhoGuardian,
            _ => T::WhoStaff,
        },
    )
}

pub fn unit_name(unit: GlucoseUnit) -> &'static str {
    match unit {
        GlucoseUnit::MgDl => "mg/dL",
        GlucoseUnit::MmolL => "mmol/L",
    }
}

fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A day as each language writes it: "Wed 25 Nov", "11月25日 周三".
pub fn day(lang: Lang, date: NaiveDate, today: NaiveDate) -> String {
    if date == today {
        return text(lang, T::Today).to_owned();
    }
    let weekday = date.weekday();
    match lang {
        Lang::En => {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            format!(
                "{} {} {}",
                names[weekday.num_days_from_monday() as usize],
                date.day(),
                MONTHS[date.month0() as usize]
            )
        }
        Lang::Zh => {
            let names = ["一", "二", "三", "四", "五", "六", "日"];
            format!(
                "{}月{}日 周{}",
                date.month(),
                date.day(),
                names[weekday.num_days_from_monday() as usize]
            )
        }
    }
}

/// A number with at most `decimals` decimals and no trailing zeros
/// ("4.5", "10"), the same in both languages.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_browser_tags() {
        assert_eq!(Lang::from_tag("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
        assert_eq!(Lang::Zh.default_unit(), GlucoseUnit::MmolL);
    }

    #[test]
    fn templates_fill_every_slot_in_both_languages() {
        for lang in [Lang::En, Lang::Zh] {
            let s = fill(text(lang, T::InsulinTotal), &[("u", "12.5"), ("n", "3")]);
            assert!(
                s.contains("12.5") && s.contains('3') && !s.contains('{'),
                "{s}"
            );
        }
    }

    #[test]
    fn days_and_numbers_per_language() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(day(Lang::En, tuesday, today), "Tue 24 Nov");
        assert_eq!(day(Lang::Zh, tuesday, today), "11月24日 周二");
        assert_eq!(day(Lang::Zh, today, today), "今天");
        assert_eq!(number(4.50, 1), "4.5");
        assert_eq!(number(10.0, 1), "10");
        assert_eq!(number(5.56, 1), "5.6");
    }

    #[test]
    fn chinese_text_has_no_latin_words_but_units_and_names() {
        let keys = [
            T::Today,
            T::SignOutPending,
            T::ChartTitle,
            T::StatusSent,
            T::NeededHelp,
        ];
        for key in keys {
            let zh = text(Lang::Zh, key);
            // Slots are filled with numbers, units and names.
            let without_slots: String = zh
                .split('{')
                .map(|part| part.split_once('}').map_or(part, |(_, rest)| rest))
                .collect();
            let latin: String = without_slots
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() > 1 && !["LO", "HI", "T1D"].contains(w))
                .collect();
            assert!(latin.is_empty(), "{zh}: {latin}");
        }
    }
}
