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
