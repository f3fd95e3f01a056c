## Words every part of the app uses.

app-name = T1D eDiary
common-loading = Loading…
common-save = Save
common-cancel = Cancel
common-close = Close
common-none = none
common-never = never
common-yes = Yes
common-no = No
common-dash = –
common-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
common-language = Language
common-demo-badge = Demo study: made-up data only
