## One participant's page (/participants/{id}): the window, outcome
## figures with what they rest on, charts, visit labs, entries with their
## versions, alerts and the audit trail.

review-window = Window
review-from = From (site day)
review-to = To
review-show = Show
review-about = { $age_group } · enrolled { $enrolled } · diagnosed { $diagnosed }
review-figures-title = Outcome figures, { $from } to { $to } ({ $days ->
        [one] { $days } day
       *[other] { $days } days
    })
review-glucose = Glucose
review-daily-insulin = Daily insulin
review-labs = Visit labs
review-entries = Entries in the window
review-alerts = Alerts
review-no-alerts = No alerts.
review-alert-line = { $created } · { $rule } · { $severity } · { $status }
review-alert-line-note = { $created } · { $rule } · { $severity } · { $status } · { $note }
review-audit = Audit trail
review-audit-when = When
review-audit-who = Who
review-audit-what = What
review-audit-record = Record

## The figure cards.

review-mg = { $mg } mg/dL ({ $mmol } mmol/L)
review-units = { $units } U
review-units-per-kg = { $units } U/kg/day
review-card-glucose = Glucose readings
review-glucose-stats = { $count ->
        [one] { $count } reading
       *[other] { $count } readings
    } · mean { $mean } · SD { $sd } · CV { $cv }
review-glucose-ranges = < 54: { $below_54 } · 54–69: { $from_54 } · 70–180: { $from_70 } · 181–250: { $from_181 } · > 250: { $above_250 }
review-no-readings = No glucose readings in the window.
review-card-insulin = Insulin
review-insulin-stats = mean { $daily } a day · { $per_kg }
review-card-hypoglycemia = Hypoglycemia
review-hypo-readings = Readings by ADA level: { $list }
review-hypo-events = Events by ADA level: { $list }
review-hypo-classes = Events by ADA 2005 class: { $list }
review-hypo-severe = Severe events: { $n }
review-card-hba1c = HbA1c and IDAA1C
review-hba1c-idaa1c = HbA1c { $hba1c } · IDAA1C { $idaa1c }
review-idaa1c-remission = { $value } (partial remission)
review-card-completeness = Diary completeness
# What each figure rests on.
review-basis-glucose = From { $readings ->
        [one] { $readings } reading
       *[other] { $readings } readings
    } over { $days ->
        [one] { $days } day
       *[other] { $days } days
    } ({ $from } to { $to }); LO/HI counted in the ranges, not in mean and SD.
review-basis-insulin = From { $insulin_days ->
        [one] { $insulin_days } day
       *[other] { $insulin_days } days
    } with doses logged of { $days ->
        [one] { $days } day
       *[other] { $days } days
    }; per kg with the latest weight on or before each day.
review-basis-hypoglycemia = From { $events ->
        [one] { $events } event form
       *[other] { $events } event forms
    } and the glucose readings over { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
review-basis-idaa1c = HbA1c of { $date } plus 4 × the window's mean U/kg/day ({ $insulin_days ->
        [one] { $insulin_days } day
       *[other] { $insulin_days } days
    } with doses).
review-basis-idaa1c-no-insulin = HbA1c of { $date }; no IDAA1C without insulin doses and a weight in the window.
review-basis-no-hba1c = No HbA1c taken in the window.
review-basis-completeness = { $with ->
        [one] { $with } day
       *[other] { $with } days
    } with at least one entry of { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.

## The charts.

review-glucose-chart = { $n ->
        [one] { $n } glucose reading
       *[other] { $n } glucose readings
    }; the band is 70 to 180 mg/dL (3.9 to 10.0 mmol/L)
review-insulin-chart = Insulin totals on { $n ->
        [one] { $n } day
       *[other] { $n } days
    } with doses logged
review-insulin-bar = { $date }: { $units } U

## Entries and their versions.

review-no-entries = No entries in the window.
review-removed = (removed)
review-versions = { $n ->
        [one] { $n } version
       *[other] { $n } versions
    }
review-version = v{ $version }
review-version-line = v{ $version } { $op } · { $what } · by { $who } on { $device } · saved { $recorded } · received { $received }
review-late = late
review-reason = reason: { $reason }
review-op-create = entered
review-op-amend = corrected
review-op-void = removed
# A time on the clock of the offset it was given with.
review-at-offset = { $at } (UTC{ $offset })
review-ada2005-class = ADA 2005 class: { $class }
review-potentially-serious = potentially serious
review-entry-glucose = Glucose { $value }, { $context }, { $source }
review-entry-insulin = Insulin { $units } U, { $type }, { $purpose }
review-entry-hypo = Low: { $glucose }; symptoms: { $symptoms }; { $help }; treated with: { $treatments }
review-context-fasting = fasting
review-context-before-meal = before a meal
review-context-after-meal = after a meal
review-context-bedtime = bedtime
review-context-overnight = overnight
review-context-other = other
review-source-meter = meter
review-source-cgm = CGM
review-insulin-rapid = rapid-acting
review-insulin-short = short-acting
review-insulin-intermediate = intermediate-acting
review-insulin-long = long-acting
review-insulin-premixed = premixed
review-purpose-meal = meal
review-purpose-correction = correction
review-purpose-basal = basal
review-symptom-shaky = shaky
review-symptom-sweating = sweating
review-symptom-hungry = hungry
review-symptom-dizzy = dizzy
review-symptom-confused = confused
review-symptom-headache = headache
review-symptom-blurred-vision = blurred vision
review-symptom-mood-change = irritable or upset
review-hypo-not-measured = glucose not measured
review-hypo-needed-help = needed help
review-hypo-no-help = no help needed
review-hypo-lost-consciousness = lost consciousness
review-hypo-seizure = seizure
review-hypo-no-treatment = nothing
review-treatment-oral-carbohydrate = oral carbohydrate
review-treatment-glucagon = glucagon
review-treatment-iv-glucose = IV glucose
review-treatment-emergency-services = emergency services
review-treatment-emergency-department = emergency department
review-treatment-hospital-admission = hospital admission
review-treatment-other = other

## Visit labs.

review-lab-weight = Weight
review-lab-hba1c = HbA1c
review-lab-c-peptide-fasting = C-peptide, fasting
review-lab-c-peptide-stimulated = C-peptide, stimulated
review-lab-other = Other (immunology panel…)
review-lab-visit = Visit
review-lab-taken = Taken
review-lab-result = Result
review-lab-entered-by = Entered by
review-lab-versions = Versions
review-lab-actions = Actions
review-lab-correct = Correct
review-lab-remove = Remove
# A result; the measure is its value and unit as entered.
review-lab-result-line = { $kind }: { $measure }
review-lab-result-named = { $name }: { $measure }
review-lab-earlier = v{ $version }: { $measure } on { $taken } by { $who }
review-lab-earlier-reason = v{ $version }: { $measure } on { $taken } by { $who } · reason: { $reason }
review-lab-remove-title = Remove { $kind } of { $taken }
review-lab-reason = Reason
review-lab-remove-submit = Remove the lab
review-lab-remove-reason-needed = Say why the lab is removed.
review-lab-add-title = Add a lab result
review-lab-correct-title = Correct { $kind } of { $taken }
review-visit-option = { $name } (day { $day })
review-visit-unscheduled = Unscheduled
review-lab-taken-on = Taken on
review-lab-name = Name of the result
review-lab-name-placeholder = GAD65 antibodies
review-lab-value = Value
review-lab-unit = Unit
review-lab-correction-reason = Reason for the correction
review-lab-save = Save the lab
review-lab-save-correction = Save the correction
review-lab-reason-needed = Say why the lab is corrected.
review-lab-taken-needed = Enter the day the sample was taken.
review-lab-name-needed = Enter the name of the result, such as GAD65 antibodies.
review-lab-value-number = Enter the result as a number.
review-lab-value-range = Enter a value from { $low } to { $high } { $unit }.
# What the server refuses, by field.
invalid-visit = Choose a visit of the study's schedule, or unscheduled.
invalid-taken-at = Enter the day the sample was taken: a date, or a time with its offset.
invalid-name = Enter the name of the result, 1 to 100 characters; only other results have a name.
invalid-value = Enter the result as a number within the plausible range of its unit.
invalid-unit = Choose a unit this result is measured in; other results take 1 to 20 characters.
invalid-reason = Give a reason of 1 to 1000 characters.
invalid-lab = The lab was changed or removed since the page was loaded. Reload the page and correct its latest version.
review-site-times = Times are on the site's clock ({ $zone }).
