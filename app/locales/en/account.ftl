## Sign-in, enrolment, two-factor set-up, signed-in devices, the study banner.

banner-demo = DEMO: made-up data, not for real participants
sign-in-title = Sign in
sign-in-lead = Your diary for the study: glucose, insulin and low blood sugar events.
sign-in-username = Username
sign-in-password = Password
sign-in-show = Show
sign-in-hide = Hide
sign-in-first-time = First time?
sign-in-set-up-mfa = Set up two-factor sign-in
sign-in-code = Code from your authenticator app
sign-in-submit = Sign in
sign-in-pending = Signing in…
sign-in-missing-both = Enter your username and password.
sign-in-missing-username = Enter your username.
sign-in-missing-password = Enter your password.
sign-in-enroll-link = Have a code from the study team? Join the study
sign-in-signed-in = Signed in. Opening your page…

enroll-title = Join the study
enroll-lead = Use the code the study team gave you. It works once and for 7 days.
enroll-code = Code
enroll-name = Your name
enroll-username = Username
enroll-password = Password (at least { $min } characters)
enroll-submit = Join
enroll-pending = Joining…
enroll-missing-code = Enter the code from the study team.
enroll-missing-name = Enter your name and choose a username.
enroll-short-password = Choose a password of at least { $min } characters.

mfa-title = Set up two-factor sign-in
mfa-lead = Staff sign in with a password and a code from an authenticator app. Confirm your password to begin.
mfa-username = Username
mfa-password = Password
mfa-setup-code = Set-up code (only after your admin reset it)
mfa-continue = Continue
mfa-scan = Scan with your authenticator app
mfa-key = Or type this key:
mfa-recovery-title = Recovery codes
mfa-recovery-lead = Each works once if the phone is lost. Keep them somewhere safe; they are not shown again.
mfa-sign-in = Sign in with a code

sessions-title = Signed-in devices
sessions-unknown-device = Unknown device
sessions-times = Signed in { $signed_in }, last used { $last_used }
sessions-this-device = This device
sessions-end = End
sessions-back = Back

not-found-title = Page not found
not-found-lead = This address is not part of the diary.
not-found-home = Go to sign in

diary-open = Open the diary
diary-needs-script = The diary needs JavaScript.

## The staff pages' navigation bar.

nav-label = Study workspace
nav-participants = Participants
nav-alerts = Alerts
nav-alerts-open = Alerts ({ $n } open)
nav-outcomes = Study figures
nav-settings = Settings
nav-devices = Signed-in devices
nav-diary = Diary
nav-sign-out = Sign out
nav-signed-in-as = Signed in as
