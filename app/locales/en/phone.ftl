## The phone app (/diary): what participants and guardians read.
## Save, Cancel, Close, Yes, No and Language come from common.ftl.

phone-app-name = T1D eDiary
phone-demo-badge = Demo: made-up data
phone-logging-for = Logging for
phone-opening = Opening your diary…
phone-no-diary = This account keeps no diary.
phone-sign-in-to-open = Sign in to open your diary.
phone-sign-in = Sign in

## The tabs.

phone-today = Today
phone-history = History
phone-settings = Settings

## The status line: sending and syncing.

phone-sign-in-again = Your session has ended. Sign in again to send what is waiting: nothing on this phone is lost.
phone-status-sent = All sent · last sync { $time }
phone-status-never-sent = Not synced yet
phone-status-pending = Waiting to be sent: { $n }
phone-status-offline = Offline: entries stay on this phone
phone-status-sending = Sending…
phone-status-refused = Not accepted: { $n }, see History
phone-sync-now = Sync now

## Today.

phone-last-glucose = Last glucose
phone-no-readings = No readings yet
phone-insulin-today = Insulin today
# $u: the units as a number ("12.5"); $n: how many doses.
phone-insulin-total = { $n ->
    [one] { $u } U from { $n } dose
   *[other] { $u } U from { $n } doses
}
phone-lows-today = Lows today
phone-no-lows-today = No lows today
phone-reminder-due = Reminder: no glucose logged yet today.
phone-glucose = Glucose
phone-insulin = Insulin
phone-low = Low

## Every form.

phone-event-time = Time
phone-reason-edit = Why change it?
phone-reason-needed = Give a reason.
phone-saved = Saved.
phone-saved-unit-mixup = Saved. The number looks like the other unit: change the entry if it is wrong.
phone-err-time = The time must not be in the future or before enrolment.
phone-err-saving = Could not save on this phone. Try again.

## The glucose form.

phone-log-glucose = Log glucose
phone-edit-glucose = Change glucose reading
phone-reading = Reading
phone-reading-hint = The number on the meter
phone-unit = Unit
phone-context = When
# $other and $unit: "mg/dL" or "mmol/L".
phone-unit-mixup = This number looks like { $other }, not { $unit }. Check the unit before saving.
phone-out-of-range = This is not a possible reading in { $unit }.
phone-enter-reading = Type the number, or tap LO or HI.
phone-context-fasting = Fasting
phone-context-before-meal = Before a meal
phone-context-after-meal = After a meal
phone-context-bedtime = Bedtime
phone-context-overnight = Overnight
phone-context-other = Other

## The insulin form.

phone-log-insulin = Log insulin
phone-edit-insulin = Change insulin dose
phone-dose = Dose
phone-dose-hint = units, such as 4.5
phone-dose-range = A dose is more than 0 and at most 100 units.
phone-insulin-kind = Insulin
phone-purpose = For
phone-insulin-rapid = Rapid-acting
phone-insulin-short = Short-acting
phone-insulin-intermediate = Intermediate (NPH)
phone-insulin-long = Long-acting
phone-insulin-premixed = Premixed
phone-purpose-meal = A meal
phone-purpose-correction = A correction
phone-purpose-basal = Basal

## The low form and the emergency screen.

phone-log-low = Log a low
phone-edit-low = Change low
phone-symptoms = Symptoms
phone-symptom-shaky = Shaky
phone-symptom-sweating = Sweating
phone-symptom-hungry = Hungry
phone-symptom-dizzy = Dizzy
phone-symptom-confused = Confused
phone-symptom-headache = Headache
phone-symptom-blurred-vision = Blurred vision
phone-symptom-mood-change = Irritable or upset
phone-needed-help = Did someone else have to help (give sugar, glucagon or other treatment)?
phone-what-happened = Did any of these happen?
phone-lost-consciousness = Lost consciousness
phone-seizure = Seizure
phone-treatments = Treatment
phone-treatment-oral-carbohydrate = Sugar, juice or food
phone-treatment-glucagon = Glucagon
phone-treatment-iv-glucose = Glucose by drip (IV)
phone-treatment-emergency-services = Called an ambulance (120)
phone-treatment-emergency-department = Went to the emergency department
phone-treatment-hospital-admission = Admitted to hospital
phone-treatment-other = Something else
phone-glucose-if-measured = Glucose, if measured ({ $unit })
phone-enter-number-or-empty = Type the glucose as a number, or leave it empty.
# $level: a level, maybe with its class ("level 3 · severe").
phone-classified-as = This low is: { $level }
phone-not-a-low = Not low by the numbers given
phone-serious-note = Potentially serious: the study team is told at once.
phone-get-help = Get help now
phone-call-team = Call the study team: { $phone }

## How lows are classified (ADA levels and the 2005 classes).

phone-level-0 = not low
phone-level-1 = level 1
phone-level-2 = level 2
phone-level-3 = level 3
phone-level-with-class = { $level } · { $class }
phone-class-severe = severe
phone-class-documented-symptomatic = documented symptomatic
phone-class-asymptomatic = asymptomatic
phone-class-probable-symptomatic = probable symptomatic
phone-class-relative = relative

## History: the chart, the entries, their versions.

phone-history-title = History
# $n: 7 or 14; $unit: "mg/dL" or "mmol/L"; $lo and $hi: numbers in that unit.
phone-chart-title = { $n ->
    [one] Glucose over the last day ({ $unit }); the shaded band is the target range { $lo }–{ $hi }
   *[other] Glucose over the last { $n } days ({ $unit }); the shaded band is the target range { $lo }–{ $hi }
}
phone-chart-summary = { $n ->
    [one] { $n } reading, { $low } below the target range
   *[other] { $n } readings, { $low } below the target range
}
phone-chart-empty = No readings in these days.
# The left end of the chart's time axis: $n days ago.
phone-chart-start = -{ $n }
phone-no-entries = No entries yet.
# $value: a reading ("5.6", "LO"); $unit: "mg/dL" or "mmol/L".
phone-glucose-line = { $value } { $unit } · { $context }
# $u: the units as a number ("4.5").
phone-insulin-line = { $u } U · { $type } · { $purpose }
phone-low-line = Low · { $level }
phone-entered-by = by { $who }
phone-who-you = you
phone-who-participant = participant
phone-who-guardian = guardian
phone-who-staff = study team
phone-waiting-to-send = waiting to be sent
phone-removed = removed
phone-late = entered late
phone-change = Change
phone-remove = Remove
phone-reason-remove = Why remove it?
phone-confirm-remove = Remove entry
phone-versions = Versions
phone-version = Version { $n }
phone-versions-offline = Earlier versions show when there is a connection.

## An entry the server did not accept.

phone-refused = Not accepted: { $why }
phone-err-conflict = Changed on another phone meanwhile: look at the entry and change it again if needed.
phone-refused-not-yours = this diary is no longer linked to your account.
phone-refused-other = the server could not use this entry.
phone-fix-it = Fix and send again
phone-discard = Drop it

## Settings.

phone-settings-title = Settings
phone-glucose-unit = Glucose unit
phone-reminder = Daily reminder
phone-reminder-hint = After this time the app reminds you if no glucose was logged that day.
phone-sign-out = Sign out
phone-sign-out-pending = { $n ->
    [one] { $n } entry is not sent yet. It stays on this phone and is sent after you sign in again.
   *[other] { $n } entries are not sent yet. They stay on this phone and are sent after you sign in again.
}
phone-sign-out-anyway = Sign out and keep them
