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
record-row-remove = Entfernen
record-rows-add = Füllen Sie die leeren Zeilen aus, um Positionen hinzuzufügen; speichern Sie, um weitere hinzuzufügen.
record-row = Zeile
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

## Signed-out pages: the card layout
lang-switch = Sprache

## Signed-out home
anon-home-title = Willkommen
anon-home-intro = Dies ist das Kundenportal von { $portal }. Melden Sie sich an, um Ihre Daten zu sehen.
anon-home-invitation-only = Konten gibt es nur auf Einladung: Ihre Einladungs-E-Mail enthält den Link, mit dem Sie Ihr Passwort festlegen.

## Sign-in
signin-title = Anmelden
signin-email = E-Mail-Adresse
signin-password = Passwort
signin-submit = Anmelden
signin-forgot = Passwort vergessen?
signin-new-here = Neu hier?
signin-create-account = Konto erstellen
signin-wrong = E-Mail-Adresse oder Passwort ist nicht richtig.
signin-too-many = Zu viele fehlgeschlagene Versuche aus Ihrem Netzwerk. Warten Sie 15 Minuten und versuchen Sie es erneut.
signin-expired = Das Anmeldeformular ist abgelaufen. Bitte melden Sie sich erneut an.
signin-mfa-expired = Der Bestätigungsschritt ist abgelaufen oder es wurden zu viele falsche Codes eingegeben. Bitte melden Sie sich erneut an.
signin-session-ended = Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.
back-to-sign-in = Zurück zur Anmeldung
go-to-sign-in = Zur Anmeldung

## Two-step verification at sign-in
mfa-code-title = Code eingeben
mfa-heading = Zwei-Faktor-Authentifizierung
mfa-code-intro = Öffnen Sie Ihre Authenticator-App und geben Sie den sechsstelligen Code ein, den sie für dieses Portal anzeigt.
mfa-code-label = Code
mfa-code-submit = Bestätigen und anmelden
mfa-code-lost-phone = Telefon verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein (zum Beispiel { $example }); jeder funktioniert einmal.
mfa-code-wrong = Dieser Code ist nicht richtig. Geben Sie den aktuellen Code aus Ihrer App oder einen Wiederherstellungscode ein.
mfa-enrol-wrong = Dieser Code ist nicht richtig. Geben Sie den aktuellen Code aus Ihrer App ein.
mfa-form-expired = Das Formular ist abgelaufen. Bitte geben Sie den Code erneut ein.
mfa-enrol-title = Zwei-Faktor-Authentifizierung einrichten
mfa-enrol-intro = { $portal } bittet alle, ihre Anmeldung mit einem Code aus einer Authenticator-App zu bestätigen. Das dauert einmalig eine Minute.
mfa-enrol-submit = Einschalten und weiter
mfa-cancel = Abbrechen
mfa-setup-install = Installieren Sie eine Authenticator-App auf Ihrem Telefon (zum Beispiel Google Authenticator, Microsoft Authenticator, 1Password oder Aegis).
mfa-setup-scan = Fügen Sie in der App ein Konto hinzu und scannen Sie diesen Code:
mfa-setup-qr-label = QR-Code, um dieses Portal zu Ihrer Authenticator-App hinzuzufügen
mfa-setup-cant-scan = Scannen klappt nicht? Geben Sie stattdessen diesen Schlüssel ein
mfa-setup-key-hint = Zeitbasiert, sechs Ziffern, alle 30 Sekunden.
mfa-setup-enter = Geben Sie den sechsstelligen Code ein, den die App anzeigt:
recovery-title = Ihre Wiederherstellungscodes
recovery-heading = Speichern Sie Ihre Wiederherstellungscodes
recovery-on = Die Zwei-Faktor-Authentifizierung ist eingeschaltet.
recovery-intro = Falls Sie Ihr Telefon verlieren, meldet Sie jeder dieser Codes einmal anstelle des App-Codes an. Bewahren Sie sie sicher auf, etwa in einem Passwort-Manager.
recovery-only-now = Sie werden nur jetzt angezeigt.
recovery-continue = Ich habe sie gespeichert, weiter

## Forgotten password, invitation and reset links
forgot-title = Passwort vergessen?
forgot-sent = Falls es zu dieser Adresse hier ein Konto gibt, haben wir ihr einen Link geschickt, mit dem Sie ein neues Passwort wählen können. Der Link funktioniert einmal und eine Stunde lang.
forgot-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein, und wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen können.
forgot-submit = Link senden
forgot-expired = Das Formular ist abgelaufen. Bitte geben Sie Ihre E-Mail-Adresse erneut ein.
forgot-too-many = Zu viele Anfragen für diese Adresse. Warten Sie 15 Minuten und versuchen Sie es erneut.
reset-title = Neues Passwort wählen
reset-intro = { $name }, wählen Sie ein neues Passwort für Ihr Konto. Überall sonst werden Sie abgemeldet.
reset-submit = Neues Passwort speichern
invite-title = Passwort festlegen
invite-intro = Willkommen, { $name }. Wählen Sie ein Passwort, um Ihr Konto zu eröffnen.
invite-submit = Passwort festlegen und weiter
password-expired = Das Formular ist abgelaufen. Bitte geben Sie Ihr Passwort erneut ein.
password-label = Passwort
password-hint = 12 bis 128 Zeichen. Sehr häufige Passwörter werden abgelehnt.
password-again = Passwort wiederholen
link-invalid-title = Link nicht verwendbar
link-invalid-heading = Dieser Link kann nicht verwendet werden
link-invalid-text = Die Links in unseren E-Mails funktionieren einmal und nur für begrenzte Zeit. Dieser ist abgelaufen, wurde bereits verwendet oder durch eine neuere E-Mail ersetzt.
link-invalid-ask = Bitten Sie Ihren Ansprechpartner bei { $portal } um eine neue Einladung. Wenn Sie Ihr Passwort bereits festgelegt haben, melden Sie sich einfach an.

## Sign-up and its verification link
signup-title = Konto erstellen
signup-restricted = Ihre Anfrage geht zur Freigabe an { $portal }, bevor Sie sich anmelden können.
signup-confirm-first = Wir schicken Ihnen eine E-Mail, um Ihre Adresse zu bestätigen, bevor Sie sich anmelden können.
signup-name = Ihr Name
signup-submit = Konto erstellen
signup-have-account = Sie haben bereits ein Konto?
signup-expired = Das Formular ist abgelaufen. Bitte geben Sie Ihre Passwörter erneut ein.
signup-too-many = Zu viele Registrierungen für diese Adresse. Warten Sie eine Weile und versuchen Sie es erneut.
signup-sent-title = Sehen Sie in Ihr Postfach
signup-sent-link = Falls diese Adresse hier ein Konto haben kann, haben wir ihr einen Link zur Bestätigung geschickt. Öffnen Sie den Link, um Ihr Konto fertig einzurichten.
signup-sent-spam = Der Link funktioniert einmal und zwei Tage lang. Nichts angekommen? Sehen Sie im Spam-Ordner nach oder registrieren Sie sich erneut, um einen neuen Link zu erhalten.
signup-thanks-title = Vielen Dank
signup-thanks-text = Ihre Anfrage ist eingegangen. Sie können sich anmelden, sobald sie freigegeben ist; wir geben Ihnen Bescheid.
verify-title = E-Mail-Adresse bestätigen
verify-text = Bestätigen Sie, dass { $email } Ihre Adresse ist, um Ihr Konto fertig einzurichten. Sie werden dann angemeldet.
verify-submit = Bestätigen und anmelden
verified-title = E-Mail-Adresse bestätigt
verified-text = Vielen Dank, { $name }. Ihr Konto ist bereit und Sie sind angemeldet.
verified-continue = Weiter

## Preferences after an invitation
welcome-title = Ihre Einstellungen
welcome-intro = Ihr Passwort ist festgelegt und Sie sind angemeldet. Prüfen Sie, wie Ihnen Datum und Uhrzeit angezeigt werden; Sie können alles so lassen, wie es ist.
welcome-country-hint = Zwei Buchstaben, etwa DE oder US.
welcome-submit = Speichern und weiter

## Account
account-title = Ihr Konto
account-password-heading = Passwort ändern
account-current-password = Aktuelles Passwort
account-new-password = Neues Passwort
account-new-password-hint = 12 bis 128 Zeichen. Sehr häufige Passwörter werden abgelehnt. Überall sonst, wo Sie angemeldet sind, werden Sie abgemeldet.
account-new-password-again = Neues Passwort wiederholen
account-change-password = Passwort ändern
account-email-heading = E-Mail-Adresse ändern
account-email-intro = Sie melden sich mit { $email } an. Wir schicken einen Link an die neue Adresse; die Änderung gilt, sobald Sie ihn öffnen.
account-new-email = Neue E-Mail-Adresse
account-password-changed = Ihr Passwort ist geändert. Überall sonst, wo Sie angemeldet waren, sind Sie jetzt abgemeldet.
account-email-sent = Wir haben einen Link an die neue Adresse geschickt. Öffnen Sie ihn innerhalb von 24 Stunden, um die Änderung zu bestätigen; bis dahin bleibt Ihre Adresse, wie sie ist.
account-too-many = Zu viele Versuche. Warten Sie 15 Minuten und versuchen Sie es erneut.
account-mfa-intro = Schützen Sie Ihr Konto bei der Anmeldung mit einem Code aus einer Authenticator-App.
account-mfa-back = ← Ihr Konto
account-mfa-on = Eingeschaltet
account-mfa-on-text = Bei der Anmeldung geben Sie nach Ihrem Passwort einen Code aus Ihrer Authenticator-App ein. Noch { $left } von 10 Wiederherstellungscodes übrig.
account-mfa-renew-heading = Neue Wiederherstellungscodes
account-mfa-renew-intro = Ihre alten Wiederherstellungscodes verlieren ihre Gültigkeit.
account-mfa-current-code = Aktueller Code aus Ihrer App
account-mfa-renew-submit = Neue Codes erzeugen
account-mfa-off-heading = Ausschalten
account-mfa-off-submit = Zwei-Faktor-Authentifizierung ausschalten
account-mfa-required = { $portal } verlangt die Zwei-Faktor-Authentifizierung, daher kann sie nicht ausgeschaltet werden.
account-mfa-setup-heading = Einrichten
account-mfa-setup-intro = Nach Ihrem Passwort geben Sie einen Code aus einer App auf Ihrem Telefon ein, sodass ein gestohlenes Passwort allein Ihr Konto nicht öffnen kann.
account-mfa-turn-on = Einschalten
account-mfa-turned-off = Die Zwei-Faktor-Authentifizierung ist ausgeschaltet.
email-change-title = Neue E-Mail-Adresse bestätigen
email-change-text = { $name }, bestätigen Sie, dass Sie sich ab jetzt mit { $email } anmelden möchten. Sie werden überall abgemeldet, und Ihre bisherige Adresse wird über die Änderung informiert.
email-change-submit = Neue Adresse bestätigen
email-changed-title = E-Mail-Adresse geändert
email-changed-text = Sie melden sich jetzt mit { $email } an.

## Field errors, by field and code (other languages; English keeps the use case's words)
error-password-too-short = Ein Passwort hat mindestens 12 Zeichen
error-password-too-long = Ein Passwort hat höchstens 128 Zeichen
error-password-too-common = Dieses Passwort gehört zu den häufigsten, die Angreifer zuerst ausprobieren; wählen Sie ein anderes
error-password-invalid-characters = Ein Passwort darf keine Steuerzeichen enthalten (etwa NUL, Tabulator oder Zeilenumbruch)
error-password-mismatch = Die beiden Passwörter stimmen nicht überein
error-wrong-password = Das ist nicht Ihr aktuelles Passwort
error-invalid-code = Dieser Code ist nicht richtig; geben Sie den aktuellen Code aus Ihrer App ein
error-name-required = Bitte geben Sie Ihren Namen ein
error-name-too-long = Der Name hat höchstens 200 Zeichen
error-name-invalid-characters = Der Name darf keine Steuerzeichen oder Zeilenumbrüche enthalten
error-email-required = Bitte geben Sie Ihre E-Mail-Adresse ein
error-email-too-long = Die E-Mail-Adresse hat höchstens 254 Zeichen
error-new-email-required = Geben Sie die neue E-Mail-Adresse ein
error-new-email-too-long = Die E-Mail-Adresse hat höchstens 254 Zeichen
error-same-email = Das ist bereits Ihre E-Mail-Adresse
error-same-domain = Diese Adresse gehört zur eigenen Domain des Unternehmens
error-invalid-email = Die E-Mail-Adresse enthält andere Zeichen als A-Z a-z 0-9 @ . - _ +
error-anonymous-domain = Die E-Mail-Domain ist eine Wegwerf- oder gesperrte Domain
error-seat-limit = Dieses Portal nimmt derzeit keine weiteren Benutzer auf
error-invalid-language = Die Sprache ist ein Kürzel wie en oder en-GB
error-invalid-time-zone = Die Zeitzone ist ein Name wie Europe/Berlin oder UTC
error-invalid-country = Das Land ist ein Code aus zwei Buchstaben wie DE oder US

## A disabled portal
maintenance-title = Vorübergehend nicht verfügbar
