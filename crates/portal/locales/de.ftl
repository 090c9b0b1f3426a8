# Portico-Portal — Deutsch.

## Navigation and layout
nav-menu = Menü
nav-home = Start
nav-preferences = Einstellungen
nav-account = Konto
nav-sign-out = Abmelden
nav-skip = Zum Inhalt springen
nav-tabs = Ihre Bereiche
nav-links = Links

## Home
home-welcome = Willkommen, { $name }
home-nothing-shared = Mit Ihrem Konto ist noch nichts geteilt.
home-my-details = Meine Angaben
home-no-details = Hier werden keine Angaben mit Ihnen geteilt.
home-open = Öffnen
home-preferences-saved = Ihre Einstellungen sind gespeichert.

## Lists
list-count = { $count ->
    [one] 1 Datensatz
   *[other] { $count } Datensätze
}
list-search = Suche
list-search-placeholder = Nach Name oder E-Mail suchen
list-search-button = Suchen
list-clear = Zurücksetzen
list-empty = Hier ist noch nichts.
list-empty-search = Nichts passt zu Ihrer Suche.
list-previous = Zurück
list-next = Weiter
list-page = Seite { $page }
list-page-of = Seite { $page } von { $pages }
list-new = Neu
list-sort-by = Nach { $field } sortieren
list-sorted-asc = aufsteigend sortiert
list-sorted-desc = absteigend sortiert
list-name = Name

## Records
record-edit = Bearbeiten
record-delete = Löschen
record-back = Zurück zu { $tab }
record-view-layout = Ansicht
record-not-shared = (nicht geteilt)
record-empty = —
record-yes = Ja
record-no = Nein
record-you = Sie
record-read-only = Nur lesen
record-required = Pflichtfeld
record-save = Speichern
record-create = Anlegen
record-cancel = Abbrechen
record-new-title = Neuer Datensatz in { $tab }
record-edit-title = { $name } bearbeiten
record-delete-title = { $name } löschen?
record-delete-confirm = Der Datensatz kommt in den Papierkorb des Unternehmens; Sie sehen ihn hier nicht mehr.
record-delete-yes = Ja, löschen
record-created = Der Datensatz wurde angelegt.
record-saved = Ihre Änderungen sind gespeichert.
record-deleted = Der Datensatz wurde gelöscht.
record-errors = Bitte korrigieren Sie die markierten Felder.
record-stale = Jemand hat diesen Datensatz geändert, seit Sie ihn geöffnet haben. Laden Sie ihn neu und ändern Sie ihn noch einmal.
record-rows = { $count ->
    [one] 1 Zeile
   *[other] { $count } Zeilen
}
record-view-only = Sie können diese Datensätze ansehen; ändern kann sie nur das Unternehmen.

## Preferences
prefs-title = Einstellungen
prefs-intro = Wie das Portal Ihnen Datum, Uhrzeit und Beträge zeigt.
prefs-language = Sprache
prefs-time-format = Zeitformat
prefs-time-format-24 = 24 Stunden (14:30)
prefs-time-format-12 = 12 Stunden (2:30 PM)
prefs-time-zone = Zeitzone
prefs-time-zone-hint = Zum Suchen tippen, z. B. Europe/Berlin
prefs-country = Land
prefs-country-hint = Zweibuchstabiger Code, z. B. DE
prefs-save = Einstellungen speichern
prefs-now = Jetzt in Ihrer Zeitzone: { $now }

## Errors
error-not-found-title = Nicht gefunden
error-not-found = Hier ist nichts, oder es wird nicht mit Ihnen geteilt.
error-forbidden-title = Nicht erlaubt
error-generic-title = Etwas ist schiefgegangen

## Months (short)
month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.
date-format = { $day }. { $month } { $year }
