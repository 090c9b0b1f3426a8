# Portico portal — English. Every other language file has exactly these messages.

## Navigation and layout
nav-menu = Menu
nav-home = Home
nav-preferences = Preferences
nav-account = Account
nav-sign-out = Sign out
nav-skip = Skip to content
nav-tabs = Your tabs
nav-links = Links

## Home
home-welcome = Welcome, { $name }
home-nothing-shared = Nothing is shared with your account yet.
home-my-details = My details
home-no-details = No details are shared with you here.
home-open = Open
home-preferences-saved = Your preferences are saved.

## Lists
list-count = { $count ->
    [one] 1 record
   *[other] { $count } records
}
list-search = Search
list-search-placeholder = Search by name or email
list-search-button = Search
list-clear = Clear
list-empty = Nothing here yet.
list-empty-search = Nothing matches your search.
list-previous = Previous
list-next = Next
list-page = Page { $page }
list-page-of = Page { $page } of { $pages }
list-new = New
list-sort-by = Sort by { $field }
list-sorted-asc = sorted ascending
list-sorted-desc = sorted descending
list-name = Name

## Records
record-edit = Edit
record-delete = Delete
record-back = Back to { $tab }
record-view-layout = View
record-not-shared = (not shared)
record-empty = —
record-yes = Yes
record-no = No
record-you = You
record-read-only = Read-only
record-row-remove = Remove
record-rows-add = Fill in the empty rows to add lines; save to add more.
record-row = Row
record-required = required
record-save = Save
record-create = Create
record-cancel = Cancel
record-new-title = New record in { $tab }
record-edit-title = Edit { $name }
record-delete-title = Delete { $name }?
record-delete-confirm = The record goes to the company's recycle bin; you will no longer see it here.
record-delete-yes = Yes, delete it
record-created = The record was created.
record-saved = Your changes are saved.
record-deleted = The record was deleted.
record-errors = Please correct the fields marked below.
record-stale = Someone changed this record since you opened it. Reload it and make your change again.
record-rows = { $count ->
    [one] 1 row
   *[other] { $count } rows
}
record-view-only = You can view these records; only the company can change them.

## Preferences
prefs-title = Preferences
prefs-intro = How the portal shows dates, times and amounts to you.
prefs-language = Language
prefs-time-format = Time format
prefs-time-format-24 = 24-hour (14:30)
prefs-time-format-12 = 12-hour (2:30 PM)
prefs-time-zone = Time zone
prefs-time-zone-hint = Type to search, e.g. Europe/Berlin
prefs-country = Country
prefs-country-hint = Two-letter code, e.g. DE
prefs-save = Save preferences
prefs-now = Now in your time zone: { $now }

## Errors
error-not-found-title = Not found
error-not-found = There is nothing here, or it is not shared with you.
error-forbidden-title = Not allowed
error-generic-title = Something went wrong

## Months (short)
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
date-format = { $day } { $month } { $year }

## Signed-out pages: the card layout
lang-switch = Language

## Signed-out home
anon-home-title = Welcome
anon-home-intro = This is the customer portal of { $portal }. Sign in to see your details.
anon-home-invitation-only = Accounts are by invitation: your invitation email has the link to set your password.

## Sign-in
signin-title = Sign in
signin-email = Email address
signin-password = Password
signin-submit = Sign in
signin-forgot = Forgot your password?
signin-new-here = New here?
signin-create-account = Create an account
signin-wrong = The email address or password is not right.
signin-too-many = Too many failed attempts from your network. Wait 15 minutes and try again.
signin-expired = The sign-in form expired. Please sign in again.
signin-mfa-expired = The verification step expired or had too many wrong codes. Please sign in again.
signin-session-ended = Your session has ended. Please sign in again.
back-to-sign-in = Back to sign in
go-to-sign-in = Go to sign in

## Two-step verification at sign-in
mfa-code-title = Enter your code
mfa-heading = Two-step verification
mfa-code-intro = Open your authenticator app and enter the six-digit code it shows for this portal.
mfa-code-label = Code
mfa-code-submit = Verify and sign in
mfa-code-lost-phone = Lost your phone? Enter one of your recovery codes instead (for example { $example }); each works once.
mfa-code-wrong = That code is not right. Enter the current code from your app, or a recovery code.
mfa-enrol-wrong = That code is not right. Enter the current code from your app.
mfa-form-expired = The form expired. Please enter the code again.
mfa-enrol-title = Set up two-step verification
mfa-enrol-intro = { $portal } asks everyone to confirm their sign-in with a code from an authenticator app. This takes a minute, once.
mfa-enrol-submit = Turn on and continue
mfa-cancel = Cancel
mfa-setup-install = Install an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator, 1Password or Aegis).
mfa-setup-scan = In the app, add an account and scan this code:
mfa-setup-qr-label = QR code to add this portal to your authenticator app
mfa-setup-cant-scan = Can't scan it? Type this key instead
mfa-setup-key-hint = Time-based, six digits, every 30 seconds.
mfa-setup-enter = Enter the six-digit code the app shows:
recovery-title = Your recovery codes
recovery-heading = Save your recovery codes
recovery-on = Two-step verification is on.
recovery-intro = If you lose your phone, each of these codes signs you in once instead of the app's code. Keep them somewhere safe, such as a password manager.
recovery-only-now = They are shown only now.
recovery-continue = I have saved them, continue

## Forgotten password, invitation and reset links
forgot-title = Forgot your password?
forgot-sent = If this address has an account here, we have sent it a link to choose a new password. The link works once, for one hour.
forgot-intro = Enter the email address of your account and we will send you a link to choose a new password.
forgot-submit = Send the link
forgot-expired = The form expired. Please enter your email address again.
forgot-too-many = Too many requests for this address. Wait 15 minutes and try again.
reset-title = Choose a new password
reset-intro = { $name }, choose a new password for your account. You will be signed out everywhere else.
reset-submit = Save the new password
invite-title = Set your password
invite-intro = Welcome, { $name }. Choose a password to open your account.
invite-submit = Set password and continue
password-expired = The form expired. Please enter your password again.
password-label = Password
password-hint = 12 to 128 characters. Very common passwords are refused.
password-again = Password again
link-invalid-title = Link cannot be used
link-invalid-heading = This link cannot be used
link-invalid-text = The links in our emails work once and for a limited time. This one has expired, has already been used, or was replaced by a newer email.
link-invalid-ask = Ask your contact at { $portal } for a new invitation. If you have already set your password, sign in instead.

## Sign-up and its verification link
signup-title = Create an account
signup-restricted = Your request goes to { $portal } for approval before you can sign in.
signup-confirm-first = We will send you an email to confirm your address before you can sign in.
signup-name = Your name
signup-submit = Create account
signup-have-account = Already have an account?
signup-expired = The form expired. Please enter your passwords again.
signup-too-many = Too many sign-ups for this address. Wait a while and try again.
signup-sent-title = Check your email
signup-sent-link = If this address can have an account here, we have sent it a link to confirm it. Open the link to finish creating your account.
signup-sent-spam = The link works once and for two days. Nothing arrived? Look in your spam folder, or sign up again for a new link.
signup-thanks-title = Thank you
signup-thanks-text = Your request has been received. You can sign in once it is approved; we will let you know.
verify-title = Confirm your email address
verify-text = Confirm that { $email } is your address to finish creating your account. You will be signed in.
verify-submit = Confirm and sign in
verified-title = Email address confirmed
verified-text = Thank you, { $name }. Your account is ready and you are signed in.
verified-continue = Continue

## Preferences after an invitation
welcome-title = Your preferences
welcome-intro = Your password is set and you are signed in. Check how dates and times are shown to you; you can keep these as they are.
welcome-country-hint = Two letters, such as DE or US.
welcome-submit = Save and continue

## Account
account-title = Your account
account-password-heading = Change your password
account-current-password = Current password
account-new-password = New password
account-new-password-hint = 12 to 128 characters. Very common passwords are refused. Every other place where you are signed in will be signed out.
account-new-password-again = New password again
account-change-password = Change password
account-email-heading = Change your email address
account-email-intro = You sign in with { $email }. We send a link to the new address; the change takes effect when you open it.
account-new-email = New email address
account-password-changed = Your password is changed. Every other place where you were signed in is signed out.
account-email-sent = We sent a link to the new address. Open it within 24 hours to confirm the change; until then your address stays as it is.
account-too-many = Too many attempts. Wait 15 minutes and try again.
account-mfa-intro = Protect your account with a code from an authenticator app when you sign in.
account-mfa-back = ← Your account
account-mfa-on = On
account-mfa-on-text = When you sign in, you enter a code from your authenticator app after your password. { $left } of 10 recovery codes left.
account-mfa-renew-heading = New recovery codes
account-mfa-renew-intro = Your old recovery codes stop working.
account-mfa-current-code = Current code from your app
account-mfa-renew-submit = Make new codes
account-mfa-off-heading = Turn off
account-mfa-off-submit = Turn off two-step verification
account-mfa-required = { $portal } requires two-step verification, so it cannot be turned off.
account-mfa-setup-heading = Set it up
account-mfa-setup-intro = After your password, you will enter a code from an app on your phone, so a stolen password alone cannot open your account.
account-mfa-turn-on = Turn on
account-mfa-turned-off = Two-step verification is off.
email-change-title = Confirm your new email address
email-change-text = { $name }, confirm that you want to sign in with { $email } from now on. You will be signed out everywhere, and your previous address will be told about the change.
email-change-submit = Confirm the new address
email-changed-title = Email address changed
email-changed-text = You now sign in with { $email }.

## Field errors, by field and code (other languages; English keeps the use case's words)
error-password-too-short = A password has at least 12 characters
error-password-too-long = A password has at most 128 characters
error-password-too-common = This password is one of the most common ones, which attackers try first; choose another
error-password-invalid-characters = A password cannot hold control characters (such as NUL, tab or a line break)
error-password-mismatch = The two passwords are not the same
error-wrong-password = This is not your current password
error-invalid-code = That code is not right; enter the current code from your app
error-name-required = Your name is required
error-name-too-long = The name has at most 200 characters
error-name-invalid-characters = The name may not contain control characters or line breaks
error-email-required = Your email address is required
error-email-too-long = The email address has at most 254 characters
error-new-email-required = Enter the new email address
error-new-email-too-long = The email address has at most 254 characters
error-same-email = This is already your email address
error-same-domain = This address is on the company's own domain
error-invalid-email = The email address holds characters other than A-Z a-z 0-9 @ . - _ +
error-anonymous-domain = The email domain is a disposable or blocked domain
error-seat-limit = This portal takes no more users at the moment
error-invalid-language = The language is a tag such as en or en-GB
error-invalid-time-zone = The time zone is a name such as Europe/Berlin or UTC
error-invalid-country = The country is a two-letter code such as DE or US

## A disabled portal
maintenance-title = Temporarily unavailable
