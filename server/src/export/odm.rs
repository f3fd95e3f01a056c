//! The CDISC ODM 1.3.2 export: the study's metadata, its users and sites,
//! and every version of every entry and lab as an `ItemGroupData` with its
//! `AuditRecord` (who, where, when, why, from which device): a snapshot
//! with the full audit trail of the clinical data.

use std::collections::BTreeSet;

use chrono::Utc;
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
};
use uuid::Uuid;

use app::domain::{entry::EntryData, glucose::GlucoseValue, mutation::Op};

use super::{ExportError, Out, Records, Scope, Sink, word};
use crate::store::{EntryStatus, EntryVersion, LabVersion, Store};

const STUDY_OID: &str = "ST.EDIARY";
const MDV_OID: &str = "MDV.1";

type Xml = Writer<Sink>;
/// (item OID suffix, value) of an item group.
type Items = Vec<(&'static str, String)>;

fn start(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) -> Result<(), ExportError> {
    let mut element = BytesStart::new(name);
    for (key, value) in attrs {
        element.push_attribute((*key, *value));
    }
    Ok(w.write_event(Event::Start(element))?)
}

fn empty(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) -> Result<(), ExportError> {
    let mut element = BytesStart::new(name);
    for (key, value) in attrs {
        element.push_attribute((*key, *value));
    }
    Ok(w.write_event(Event::Empty(element))?)
}

fn end(w: &mut Xml, name: &str) -> Result<(), ExportError> {
    Ok(w.write_event(Event::End(BytesEnd::new(name)))?)
}

fn text(w: &mut Xml, name: &str, value: &str) -> Result<(), ExportError> {
    start(w, name, &[])?;
    w.write_event(Event::Text(BytesText::new(value)))?;
    end(w, name)
}

/// The items of each item group: (OID suffix, name, ODM data type).
fn items(group: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match group {
        "GLUCOSE" => &[
            ("MEASURED_AT", "Time of the reading", "datetime"),
            ("VALUE", "Value as entered", "float"),
            ("METER_FLAG", "LO or HI", "text"),
            ("UNIT", "Unit as entered", "text"),
            ("CONTEXT", "Meal context", "text"),
            ("SOURCE", "Meter or CGM", "text"),
            ("ADA_LEVEL", "ADA hypoglycemia level", "integer"),
        ],
        "INSULIN" => &[
            ("ADMINISTERED_AT", "Time of the dose", "datetime"),
            ("UNITS", "Insulin units", "float"),
            ("INSULIN_TYPE", "Insulin type", "text"),
            ("PURPOSE", "Purpose", "text"),
            ("PRODUCT", "Product", "text"),
        ],
        "HYPO" => &[
            ("OCCURRED_AT", "Time of the event", "datetime"),
            ("GLUCOSE_VALUE", "Glucose during the event", "float"),
            ("GLUCOSE_UNIT", "Its unit", "text"),
            ("SYMPTOMS", "Symptoms", "text"),
            ("NEEDED_ASSISTANCE", "Needed assistance", "boolean"),
            ("LOST_CONSCIOUSNESS", "Lost consciousness", "boolean"),
            ("SEIZURE", "Seizure", "boolean"),
            ("TREATMENTS", "Treatments", "text"),
            ("ADA_LEVEL", "ADA hypoglycemia level", "integer"),
            ("ADA2005_CLASS", "ADA 2005 class", "text"),
            ("POTENTIALLY_SERIOUS", "Potentially serious", "boolean"),
        ],
        _ => &[
            ("VISIT", "Visit", "text"),
            ("TAKEN_AT", "When the sample was taken", "text"),
            ("KIND", "Kind of result", "text"),
            ("NAME", "Name of the result", "text"),
            ("VALUE", "Value as entered", "float"),
            ("UNIT", "Unit as entered", "text"),
        ],
    }
}

const GROUPS: [(&str, &str, &str); 4] = [
    ("GLUCOSE", "Glucose readings", "F.DIARY"),
    ("INSULIN", "Insulin doses", "F.DIARY"),
    ("HYPO", "Hypoglycemic events", "F.DIARY"),
    ("LAB", "Visit labs", "F.LABS"),
];

fn metadata(w: &mut Xml, study_name: &str) -> Result<(), ExportError> {
    start(w, "Study", &[("OID", STUDY_OID)])?;
    start(w, "GlobalVariables", &[])?;
    text(w, "StudyName", study_name)?;
    text(
        w,
        "StudyDescription",
        "Patient diary of a type 1 diabetes trial (T1D eDiary)",
    )?;
    text(w, "ProtocolName", study_name)?;
    end(w, "GlobalVariables")?;
    start(
        w,
        "MetaDataVersion",
        &[("OID", MDV_OID), ("Name", "T1D eDiary 1")],
    )?;
    start(w, "Protocol", &[])?;
    empty(
        w,
        "StudyEventRef",
        &[("StudyEventOID", "SE.DIARY"), ("Mandatory", "Yes")],
    )?;
    end(w, "Protocol")?;
    start(
        w,
        "StudyEventDef",
        &[
            ("OID", "SE.DIARY"),
            ("Name", "Diary and visits"),
            ("Repeating", "No"),
            ("Type", "Common"),
        ],
    )?;
    empty(w, "FormRef", &[("FormOID", "F.DIARY"), ("Mandatory", "No")])?;
    empty(w, "FormRef", &[("FormOID", "F.LABS"), ("Mandatory", "No")])?;
    end(w, "StudyEventDef")?;
    for (form, name) in [("F.DIARY", "Patient diary"), ("F.LABS", "Visit labs")] {
        start(
            w,
            "FormDef",
            &[("OID", form), ("Name", name), ("Repeating", "No")],
        )?;
        for (group, _, in_form) in GROUPS {
            if in_form == form {
                let oid = format!("IG.{group}");
                empty(
                    w,
                    "ItemGroupRef",
                    &[("ItemGroupOID", &oid), ("Mandatory", "No")],
                )?;
            }
        }
        end(w, "FormDef")?;
    }
    for (group, name, _) in GROUPS {
        let oid = format!("IG.{group}");
        start(
            w,
            "ItemGroupDef",
            &[("OID", &oid), ("Name", name), ("Repeating", "Yes")],
        )?;
        for (item, _, _) in items(group) {
            let item_oid = format!("IT.{group}.{item}");
            empty(w, "ItemRef", &[("ItemOID", &item_oid), ("Mandatory", "No")])?;
        }
        end(w, "ItemGroupDef")?;
    }
    for (group, _, _) in GROUPS {
        for (item, name, data_type) in items(group) {
            let item_oid = format!("IT.{group}.{item}");
            empty(
                w,
                "ItemDef",
                &[("OID", &item_oid), ("Name", name), ("DataType", data_type)],
            )?;
        }
    }
    end(w, "MetaDataVersion")?;
    end(w, "Study")
}

fn user_oid(id: Uuid) -> String {
    format!("USR.{id}")
}

fn site_oid(code: &str) -> String {
    format!("LOC.{code}")
}

/// The values of an entry version's items, by item OID suffix.
fn entry_items(v: &EntryVersion) -> Result<(&'static str, Items), ExportError> {
    let (parsed, classification) = super::decoded(v)?;
    let level = classification.map(|c| c.ada_level.to_string());
    let mut values: Vec<(&str, String)> = Vec::new();
    let mut put = |item: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            values.push((item, value));
        }
    };
    let group = match parsed {
        EntryData::Glucose(g) => {
            put("MEASURED_AT", Some(g.measured_at.to_rfc3339()));
            match g.value {
                GlucoseValue::Number(n) => put("VALUE", Some(n.to_string())),
                GlucoseValue::Flag(f) => put("METER_FLAG", Some(word(&f))),
            }
            put("UNIT", Some(word(&g.unit)));
            put("CONTEXT", Some(word(&g.context)));
            put("SOURCE", Some(word(&g.source)));
            put("ADA_LEVEL", level);
            "GLUCOSE"
        }
        EntryData::Insulin(i) => {
            put("ADMINISTERED_AT", Some(i.administered_at.to_rfc3339()));
            put("UNITS", Some(i.units.to_string()));
            put("INSULIN_TYPE", Some(word(&i.insulin_type)));
            put("PURPOSE", Some(word(&i.purpose)));
            put("PRODUCT", i.product);
            "INSULIN"
        }
        EntryData::Hypo(h) => {
            put("OCCURRED_AT", Some(h.occurred_at.to_rfc3339()));
            put("GLUCOSE_VALUE", h.glucose_value.map(|g| g.to_string()));
            put("GLUCOSE_UNIT", h.glucose_unit.map(|u| word(&u)));
            put("SYMPTOMS", Some(h.symptoms.join(";")));
            put("NEEDED_ASSISTANCE", Some(h.needed_assistance.to_string()));
            put("LOST_CONSCIOUSNESS", Some(h.lost_consciousness.to_string()));
            put("SEIZURE", Some(h.seizure.to_string()));
            put(
                "TREATMENTS",
                Some(h.treatments.iter().map(word).collect::<Vec<_>>().join(";")),
            );
            put("ADA_LEVEL", level);
            put(
                "ADA2005_CLASS",
                classification
                    .and_then(|c| c.ada2005_class)
                    .map(|c| word(&c)),
            );
            put(
                "POTENTIALLY_SERIOUS",
                classification.map(|c| c.potentially_serious.to_string()),
            );
            "HYPO"
        }
    };
    Ok((group, values))
}

fn lab_items(v: &LabVersion) -> Items {
    let mut values = vec![
        ("VISIT", v.input.visit.clone()),
        ("TAKEN_AT", v.input.taken_at.clone()),
        ("KIND", v.input.kind.as_str().to_owned()),
    ];
    if let Some(name) = &v.input.name {
        values.push(("NAME", name.clone()));
    }
    values.push(("VALUE", v.input.value.to_string()));
    values.push(("UNIT", v.input.unit.clone()));
    values
}

struct Version<'a> {
    group: &'a str,
    key: Uuid,
    transaction: &'static str,
    user: Uuid,
    when: String,
    reason: Option<&'a str>,
    source: Option<&'a str>,
    items: Items,
}

fn item_group(w: &mut Xml, site: &str, v: Version) -> Result<(), ExportError> {
    let oid = format!("IG.{}", v.group);
    let key = v.key.to_string();
    start(
        w,
        "ItemGroupData",
        &[
            ("ItemGroupOID", &oid),
            ("ItemGroupRepeatKey", &key),
            ("TransactionType", v.transaction),
        ],
    )?;
    start(w, "AuditRecord", &[])?;
    empty(w, "UserRef", &[("UserOID", &user_oid(v.user))])?;
    empty(w, "LocationRef", &[("LocationOID", site)])?;
    text(w, "DateTimeStamp", &v.when)?;
    if let Some(reason) = v.reason {
        text(w, "ReasonForChange", reason)?;
    }
    if let Some(source) = v.source {
        text(w, "SourceID", source)?;
    }
    end(w, "AuditRecord")?;
    for (item, value) in v.items {
        let item_oid = format!("IT.{}.{item}", v.group);
        empty(w, "ItemData", &[("ItemOID", &item_oid), ("Value", &value)])?;
    }
    end(w, "ItemGroupData")
}

fn transaction(version: i64, voided: bool) -> &'static str {
    match (version, voided) {
        (1, _) => "Insert",
        (_, true) => "Remove",
        _ => "Update",
    }
}

/// Writes the ODM document.
pub async fn write(store: &dyn Store, scope: &Scope, mut out: Out) -> Result<(), ExportError> {
    let study_name = store
        .study()
        .await?
        .map(|s| s.name)
        .unwrap_or_else(|| "T1D eDiary".into());
    // The users who saved anything, for AdminData (which comes first).
    let mut users = BTreeSet::new();
    for (participant, _) in &scope.participants {
        let records = Records::read(store, participant.id).await?;
        users.extend(records.versions.iter().map(|v| v.entered_by));
        users.extend(records.labs.iter().map(|v| v.entered_by));
    }
    let mut w = Writer::new(out.sink.clone());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let file_oid = format!("EDIARY.EXPORT.{}", Uuid::now_v7());
    let created = Utc::now().to_rfc3339();
    start(
        &mut w,
        "ODM",
        &[
            ("xmlns", "http://www.cdisc.org/ns/odm/v1.3"),
            ("ODMVersion", "1.3.2"),
            ("FileType", "Snapshot"),
            ("Granularity", "All"),
            ("FileOID", &file_oid),
            ("CreationDateTime", &created),
            ("Originator", "T1D eDiary"),
            ("SourceSystem", "ediary"),
        ],
    )?;
    metadata(&mut w, &study_name)?;
    start(&mut w, "AdminData", &[("StudyOID", STUDY_OID)])?;
    for user in &users {
        empty(&mut w, "User", &[("OID", &user_oid(*user))])?;
    }
    let mut sites: Vec<_> = scope.participants.iter().map(|(_, s)| s).collect();
    sites.sort_by(|a, b| a.code.cmp(&b.code));
    sites.dedup_by(|a, b| a.id == b.id);
    let today = Utc::now().date_naive().to_string();
    for site in sites {
        start(
            &mut w,
            "Location",
            &[
                ("OID", &site_oid(&site.code)),
                ("Name", &site.name),
                ("LocationType", "Site"),
            ],
        )?;
        empty(
            &mut w,
            "MetaDataVersionRef",
            &[
                ("StudyOID", STUDY_OID),
                ("MetaDataVersionOID", MDV_OID),
                ("EffectiveDate", &today),
            ],
        )?;
        end(&mut w, "Location")?;
    }
    end(&mut w, "AdminData")?;
    start(
        &mut w,
        "ClinicalData",
        &[("StudyOID", STUDY_OID), ("MetaDataVersionOID", MDV_OID)],
    )?;
    out.flush().await?;
    for (participant, site) in &scope.participants {
        let records = Records::read(store, participant.id).await?;
        let location = site_oid(&site.code);
        start(
            &mut w,
            "SubjectData",
            &[
                ("SubjectKey", &participant.study_id),
                ("TransactionType", "Insert"),
            ],
        )?;
        empty(&mut w, "SiteRef", &[("LocationOID", &location)])?;
        start(&mut w, "StudyEventData", &[("StudyEventOID", "SE.DIARY")])?;
        start(&mut w, "FormData", &[("FormOID", "F.DIARY")])?;
        for v in &records.versions {
            let voided = v.status == EntryStatus::Voided || v.op == Op::Void;
            let (group, items) = entry_items(v)?;
            item_group(
                &mut w,
                &location,
                Version {
                    group,
                    key: v.entry_id,
                    transaction: transaction(v.version, voided),
                    user: v.entered_by,
                    when: v.received_at.to_rfc3339(),
                    reason: v.reason.as_deref(),
                    source: Some(&v.device_id),
                    items: if voided { Vec::new() } else { items },
                },
            )?;
        }
        end(&mut w, "FormData")?;
        start(&mut w, "FormData", &[("FormOID", "F.LABS")])?;
        for v in &records.labs {
            let voided = v.status == EntryStatus::Voided;
            item_group(
                &mut w,
                &location,
                Version {
                    group: "LAB",
                    key: v.lab_id,
                    transaction: transaction(v.version, voided),
                    user: v.entered_by,
                    when: v.received_at.to_rfc3339(),
                    reason: v.reason.as_deref(),
                    source: None,
                    items: if voided { Vec::new() } else { lab_items(v) },
                },
            )?;
        }
        end(&mut w, "FormData")?;
        end(&mut w, "StudyEventData")?;
        end(&mut w, "SubjectData")?;
        out.flush().await?;
    }
    end(&mut w, "ClinicalData")?;
    end(&mut w, "ODM")?;
    out.flush().await
}
