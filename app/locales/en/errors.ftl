## Errors the server answers, in the words the pages show.

errors-unavailable = The service is unavailable right now. Please try again in a moment.
errors-invalid-credentials = Wrong username or password.
errors-sign-in-first = Sign in first.
errors-not-allowed = You are not allowed to do this.
errors-mfa-required = Enter the 6-digit code from your authenticator app.
errors-throttled = Too many attempts. Try again in { $seconds } seconds.
errors-communication = The server could not be reached. Check the connection and try again.
errors-invalid-other = Some of what you entered cannot be used. Check the form and try again.

## One field's rule, shown when the server refuses it (the id is
## "invalid-" and the field's name).

invalid-username = A username is { $username_min } to { $username_max } characters: letters, digits, dots, dashes or underscores.
invalid-password = The password is too short or too easy to guess. Use at least { $password_min } characters, for example a few unrelated words.
invalid-display-name = Enter a name of at most 100 characters.
invalid-code = This enrolment code is not valid or was used already. Ask the study team for a new one.
invalid-totp = The code is not right. Enter the 6 digits your authenticator app shows now.
invalid-setup-code = The set-up code is not right or has expired. Ask an admin for a new one.
invalid-mfa = Two-factor sign-in is set up already. Ask an admin to reset it if the phone is lost.
invalid-current-password = The current password is not right.
