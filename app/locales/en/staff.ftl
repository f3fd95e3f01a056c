## The investigators' and admins' pages: the participants (roster), the
## alert inbox, the outcome figures by visit, a new participant and the
## study settings. Words shared by these pages start with "staff-".

staff-back-to-roster = ← All participants
staff-saved = Saved.
# Under every date field: the browser may show the date in its own order.
staff-date-hint = Dates read year-month-day, such as 2026-11-14; your browser may show them in another order.
# A time in UTC, where the answer names no site time zone.
staff-age-child = child
staff-age-adolescent = adolescent
staff-age-adult = adult
# A person as the records name them: "Li Na (guardian)".
staff-person = { $name } ({ $role })
staff-role-admin = admin
staff-role-investigator = investigator
staff-role-participant = participant
staff-role-guardian = guardian
staff-role-system = system
staff-role-anonymous = not signed in
staff-rule-severe-hypoglycemia = Severe hypoglycemia
staff-rule-potentially-serious-event = Potentially serious event
staff-rule-level2-glucose = Glucose below 54 mg/dL (3.0 mmol/L)
staff-rule-repeated-level2 = Repeated level-2 readings
staff-rule-missed-diary = Missed diary
staff-rule-other = Alert
staff-severity-critical = critical
staff-severity-high = high
staff-severity-info = info
staff-status-open = open
staff-status-acknowledged = acknowledged
staff-status-resolved = resolved
# ADA hypoglycemia level of a reading or an event.
staff-level = ADA level { $level }
staff-level-count = level { $level }: { $n }
# ADA Workgroup 2005 classes of an event.
staff-class-severe = severe
staff-class-documented-symptomatic = documented symptomatic
staff-class-asymptomatic = asymptomatic
staff-class-probable-symptomatic = probable symptomatic
staff-class-relative = relative
staff-class-count = { $class }: { $n }
staff-hba1c-value = { $value } % ({ $date })

## Participants (/participants).

roster-title = Participants
roster-lead-completeness = Diary completeness counts days with at least one entry since enrolment.
roster-lead-idaa1c = IDAA1C uses the insulin of the days up to the HbA1c draw (7 unless the study settings say otherwise); 9 or less is partial remission.
roster-add = Add a participant
roster-outcomes = Outcome figures by visit
roster-alerts = Alerts
roster-loading = Loading participants…
roster-empty = No participants at your sites yet.
roster-find = Find
roster-find-placeholder = Study id or site
roster-age-all = All
roster-age-child = Child (under 12)
roster-age-adolescent = Adolescent (12–17)
roster-age-adult = Adult (18+)
roster-needs-attention = Needs attention
roster-remission = Partial remission
roster-shown = { $shown } of { $total ->
        [one] { $total } participant
       *[other] { $total } participants
    }
roster-col-study-id = Study id
roster-col-site = Site
roster-col-age-group = Age group
roster-col-enrolled = Enrolled
roster-col-last-entry = Last entry
roster-col-diary-7 = Diary 7 d
roster-col-diary-14 = Diary 14 d
roster-col-open-alerts = Open alerts
roster-col-hba1c = HbA1c
roster-col-idaa1c = IDAA1C
# Days with entries of the days counted: "86 % (6/7)".
roster-completeness = { $percent } ({ $done }/{ $days })
roster-enrolled = { $date } ({ $days } d)
roster-last-today = today ({ $date })
roster-last-days-ago = { $n ->
        [one] 1 day ago
       *[other] { $n } days ago
    } ({ $date })
roster-silent = No entry for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
roster-idaa1c-remission = { $value } · remission

## Alerts (/inbox).

inbox-title = Alerts
inbox-site-times = Times are on the clock of each participant's site.
inbox-live = Live: new alerts appear here without reloading.
inbox-new = New alert
inbox-loading = Loading alerts…
inbox-empty = No open alerts.
inbox-empty-filter = No alert matches this filter.
inbox-filter-label = Show alerts
inbox-filter-all = All ({ $n })
inbox-filter-open = Open ({ $n })
inbox-filter-acknowledged = Acknowledged ({ $n })
inbox-filter-to-report = Serious, to report ({ $n })
inbox-col-participant = Participant
inbox-col-alert = Alert
inbox-col-level = Level
inbox-col-created = Created
inbox-col-clock = 24-hour clock
inbox-col-status = Status
inbox-col-action = Action
inbox-readings = ({ $n ->
        [one] { $n } reading
       *[other] { $n } readings
    })
inbox-escalated = escalated to list { $level }
# The reporting clock of a potentially serious event; minutes have two digits.
inbox-report-within = Report to the sponsor within { $hours } h { $minutes } min
inbox-report-overdue = Report to the sponsor: overdue by { $hours } h { $minutes } min
inbox-reported = Reported to the sponsor
inbox-note = Note: { $note }
inbox-not-delivered = Not delivered: { $list }
# A failed delivery: channel, address and the receiving server's reason.
inbox-delivery = { $channel } to { $target } ({ $error })
inbox-what-was-done = What was done
inbox-acknowledge = Acknowledge
inbox-mark-reported = Reported to the sponsor
inbox-write-first = Write what was done first.
inbox-conflict-acknowledge = This alert is not open any more. Reload the page to see it as it is now.
inbox-conflict-report = Only a potentially serious event is reported, and only once.
invalid-note = Say what was done, in 1 to 2000 characters.

## Outcome figures by visit (/study/outcomes).

outcomes-title = Outcome figures by visit
outcomes-lead = Each participant counts over their own window of the visit (the visit day after enrolment, with its window either side, up to today). Figures read mean ± SD (n participants with data); counts are added up. Glucose figures are from fingerstick readings: readings in range, not time in range.
outcomes-loading = Working out the figures…
outcomes-figure = Figure
outcomes-visit = { $name } (day { $day }, −{ $before }/+{ $after })
outcomes-cell-mean-sd = { $mean } ± { $sd } (n { $n })
outcomes-cell-mean = { $mean } (n { $n })
outcomes-cell-none = – (n 0)
outcomes-remission-count = { $n } of { $of }
outcomes-row-participants = Participants in the window
outcomes-row-daily-insulin = Total daily insulin (U)
outcomes-row-units-per-kg = Insulin (U/kg/day)
outcomes-row-hba1c = HbA1c (%)
outcomes-row-idaa1c = IDAA1C
outcomes-row-remission = Partial remission (IDAA1C ≤ 9)
outcomes-row-mean-glucose = Mean glucose
outcomes-row-cv = Glucose CV (%)
outcomes-row-in-range = Readings 70–180 mg/dL (%)
outcomes-row-readings = Glucose readings
outcomes-row-events-level = Low events by ADA level
outcomes-row-events-class = Low events by ADA 2005 class
outcomes-row-severe = Severe events
outcomes-row-completeness = Diary completeness (%)

## Add a participant (/participants/new).

new-participant-title = Add a participant
new-participant-site = Site
new-participant-loading-sites = Loading sites…
new-participant-no-sites = You manage no site yet. Ask an admin to add you to one.
new-participant-site-option = { $code } – { $name }
new-participant-study-id = Study id
new-participant-study-id-hint = Such as { $example }: 1 to 32 letters, digits, “-” or “_”.
new-participant-birth-year = Year of birth
new-participant-diagnosis-date = Date of diagnosis
new-participant-weight = Weight in kg (optional)
new-participant-submit = Add and show the enrolment code
new-participant-missing-site = Choose the site.
new-participant-missing-birth-year = Enter the year of birth, such as 2014.
new-participant-missing-study-id = Enter the study id, such as { $example }.
new-participant-missing-diagnosis-date = Enter the date of diagnosis.
new-participant-bad-weight = Enter the weight as a number of kg, such as 32.5, or leave it empty.
new-participant-invite-guardian = Invite a guardian
new-participant-add-another = Add another participant
new-participant-code-title = Enrolment code for { $study_id }
new-participant-guardian-title = Guardian invitation for { $study_id }
new-participant-code-lead = Give this to the participant or their parent. It works once, until { $expires }.
new-participant-code-label = Enrolment code
new-participant-print = Print
# What the server refuses, by field.
invalid-study-id = The study id is 1 to 32 letters, digits, “-” or “_”, and no other participant may have it.
invalid-birth-year = The year of birth is a year from 1900 to this year.
invalid-diagnosis-date = The date of diagnosis is a date from the year of birth to today.
invalid-weight-kg = The weight is from 1 to 300 kg, or left empty.
invalid-site-id = Choose one of the sites you manage.

## Study settings (/study/settings, admins).

settings-title = Study settings
settings-lead = Every change is kept in the audit trail with who made it.
settings-study = Study
settings-sites = Sites
settings-thresholds = Alert thresholds
settings-outcomes = Outcome figures
settings-schedule = Visit schedule
settings-advice = Emergency advice
settings-study-name = Study name
settings-default-language = Default language
settings-save-study = Save the study
settings-site-name = Name
settings-site-timezone = Time zone (IANA, such as { $example })
settings-site-phone = Emergency phone
settings-save-site = Save the site
settings-loading-contacts = Loading contacts…
settings-contacts-title = Alert contacts (level 0 hears first; higher levels on escalation)
settings-contact-level = Level
settings-contact-channel = Channel
settings-channel-email = Email
settings-channel-webhook = Webhook
settings-contact-target = Address or URL
settings-remove = Remove
settings-add-contact = Add a contact
settings-save-contacts = Save the contacts
settings-new-site = Add a site
settings-new-site-code = Code (capital letters, digits, “-”)
settings-add-site = Add the site
settings-repeat = Repeated level-2 readings within (hours)
settings-report = Report a potentially serious event within (hours)
settings-escalate = Escalate an unacknowledged critical alert after (minutes)
settings-missed = Missed diary after (days without an entry)
settings-save-thresholds = Save the thresholds
settings-idaa1c-days = IDAA1C: days of insulin up to the HbA1c draw (commonly 3 to 7)
settings-save-idaa1c = Save the IDAA1C window
settings-visit-code = Code
settings-visit-name = Name
settings-visit-day = Day
settings-visit-before = Days early
settings-visit-after = Days late
settings-visit-code-label = Visit { $n } code
settings-visit-name-label = Visit { $n } name
settings-visit-day-label = Visit { $n } day
settings-visit-before-label = Visit { $n } days early
settings-visit-after-label = Visit { $n } days late
settings-add-visit = Add a visit
settings-save-schedule = Save the schedule
settings-advice-en = English
settings-advice-zh = Simplified Chinese
settings-save-advice = Save the advice
# What the API answered, when it refused.
settings-field-problem = { $field }: { $why }.
settings-error-status = The server answered { $status }.
settings-error-unexpected = The server's answer could not be read. Reload the page and try again.
settings-error-csrf = The request did not come from the diary app. Reload the page and try again.
settings-error-conflict = A site with this code exists already.
settings-error-too-large = This is more than the server accepts at once.
settings-error-throttled = Too many attempts. Wait a moment and try again.
# Each field's rule, where the API refuses it.
settings-invalid-name = Enter a name of 1 to 200 characters.
settings-invalid-site-code = The site code is 1 to 16 capital letters, digits or “-”.
settings-invalid-timezone = Enter an IANA time zone, such as { $example }.
settings-invalid-emergency-phone = Enter a phone number of up to 32 digits, spaces, “+”, “-” and brackets, such as +86 532 8291 1234.
settings-invalid-repeat-window-hours = Repeated level-2 readings: from 1 to 168 hours.
settings-invalid-report-within-hours = Reporting a potentially serious event: from 1 to 72 hours.
settings-invalid-escalate-after-minutes = Escalation: from 1 to 1440 minutes.
settings-invalid-missed-days = Missed diary: from 1 to 30 days.
settings-invalid-idaa1c-dose-days = IDAA1C: from 1 to 28 days of insulin.
settings-invalid-advice = Each advice is 1 to 2000 characters.
settings-invalid-visits = The schedule has 1 to 50 visits.
settings-invalid-contacts = A site has at most 50 alert contacts.
settings-invalid-visit-code = Visit { $n }: the code is 1 to 40 of a–z, 0–9 and “_”, not “{ $reserved }”, and used only once.
settings-invalid-visit-name = Visit { $n }: the name is 1 to 100 characters.
settings-invalid-visit-day = Visit { $n }: the day is 0 to 3650 days after enrolment, and after the visit before it.
settings-invalid-visit-before = Visit { $n }: 0 to 365 days early, and its window may not overlap the visit before.
settings-invalid-visit-after = Visit { $n }: 0 to 365 days late.
settings-invalid-contact-level = Contact { $n }: the level is from 0 to 9.
settings-invalid-contact-channel = Contact { $n }: the channel is email or webhook.
settings-invalid-contact-target = Contact { $n }: an email address, or for a webhook the https URL of a public receiver.
