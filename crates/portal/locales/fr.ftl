# Portail Portico — français.

## Navigation and layout
nav-menu = Menu
nav-home = Accueil
nav-preferences = Préférences
nav-account = Compte
nav-sign-out = Se déconnecter
nav-skip = Aller au contenu
nav-tabs = Vos onglets
nav-links = Liens

## Home
home-welcome = Bienvenue, { $name }
home-nothing-shared = Rien n’est encore partagé avec votre compte.
home-my-details = Mes informations
home-no-details = Aucune information n’est partagée avec vous ici.
home-open = Ouvrir
home-preferences-saved = Vos préférences sont enregistrées.

## Lists
list-count = { $count ->
    [one] 1 fiche
   *[other] { $count } fiches
}
list-search = Recherche
list-search-placeholder = Rechercher par nom ou e-mail
list-search-button = Rechercher
list-clear = Effacer
list-empty = Rien pour l’instant.
list-empty-search = Aucun résultat pour votre recherche.
list-previous = Précédent
list-next = Suivant
list-page = Page { $page }
list-page-of = Page { $page } sur { $pages }
list-new = Nouveau
list-sort-by = Trier par { $field }
list-sorted-asc = tri croissant
list-sorted-desc = tri décroissant
list-name = Nom

## Records
record-edit = Modifier
record-delete = Supprimer
record-back = Retour à { $tab }
record-view-layout = Vue
record-not-shared = (non partagé)
record-empty = —
record-yes = Oui
record-no = Non
record-you = Vous
record-read-only = Lecture seule
record-row-remove = Supprimer
record-rows-add = Remplissez les lignes vides pour ajouter des lignes ; enregistrez pour en ajouter d’autres.
record-row = Ligne
record-required = obligatoire
record-save = Enregistrer
record-create = Créer
record-cancel = Annuler
record-new-title = Nouvelle fiche dans { $tab }
record-edit-title = Modifier { $name }
record-delete-title = Supprimer { $name } ?
record-delete-confirm = La fiche part dans la corbeille de l’entreprise ; vous ne la verrez plus ici.
record-delete-yes = Oui, la supprimer
record-created = La fiche a été créée.
record-saved = Vos modifications sont enregistrées.
record-deleted = La fiche a été supprimée.
record-errors = Veuillez corriger les champs signalés ci-dessous.
record-stale = Quelqu’un a modifié cette fiche depuis que vous l’avez ouverte. Rechargez-la et refaites votre modification.
record-rows = { $count ->
    [one] 1 ligne
   *[other] { $count } lignes
}
record-view-only = Vous pouvez consulter ces fiches ; seule l’entreprise peut les modifier.

## Preferences
prefs-title = Préférences
prefs-intro = Comment le portail vous affiche les dates, heures et montants.
prefs-language = Langue
prefs-time-format = Format de l’heure
prefs-time-format-24 = 24 heures (14:30)
prefs-time-format-12 = 12 heures (2:30 PM)
prefs-time-zone = Fuseau horaire
prefs-time-zone-hint = Tapez pour chercher, p. ex. Europe/Paris
prefs-country = Pays
prefs-country-hint = Code à deux lettres, p. ex. FR
prefs-save = Enregistrer les préférences
prefs-now = Maintenant dans votre fuseau : { $now }

## Errors
error-not-found-title = Introuvable
error-not-found = Il n’y a rien ici, ou ce n’est pas partagé avec vous.
error-forbidden-title = Non autorisé
error-generic-title = Une erreur s’est produite

## Months (short)
month-1 = janv.
month-2 = févr.
month-3 = mars
month-4 = avr.
month-5 = mai
month-6 = juin
month-7 = juil.
month-8 = août
month-9 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.
date-format = { $day } { $month } { $year }

## Signed-out pages: the card layout
lang-switch = Langue

## Signed-out home
anon-home-title = Bienvenue
anon-home-intro = Voici le portail client de { $portal }. Connectez-vous pour voir vos informations.
anon-home-invitation-only = Les comptes sont ouverts sur invitation : votre e-mail d’invitation contient le lien pour définir votre mot de passe.

## Sign-in
signin-title = Connexion
signin-email = Adresse e-mail
signin-password = Mot de passe
signin-submit = Se connecter
signin-forgot = Mot de passe oublié ?
signin-new-here = Nouveau ici ?
signin-create-account = Créer un compte
signin-wrong = L’adresse e-mail ou le mot de passe n’est pas correct.
signin-too-many = Trop de tentatives échouées depuis votre réseau. Patientez 15 minutes puis réessayez.
signin-expired = Le formulaire de connexion a expiré. Veuillez vous reconnecter.
signin-mfa-expired = L’étape de vérification a expiré ou a reçu trop de codes erronés. Veuillez vous reconnecter.
signin-session-ended = Votre session a pris fin. Veuillez vous reconnecter.
back-to-sign-in = Retour à la connexion
go-to-sign-in = Aller à la connexion

## Two-step verification at sign-in
mfa-code-title = Saisissez votre code
mfa-heading = Vérification en deux étapes
mfa-code-intro = Ouvrez votre application d’authentification et saisissez le code à six chiffres qu’elle affiche pour ce portail.
mfa-code-label = Code
mfa-code-submit = Vérifier et se connecter
mfa-code-lost-phone = Téléphone perdu ? Saisissez plutôt l’un de vos codes de récupération (par exemple { $example }) ; chacun ne sert qu’une fois.
mfa-code-wrong = Ce code n’est pas correct. Saisissez le code actuel de votre application, ou un code de récupération.
mfa-enrol-wrong = Ce code n’est pas correct. Saisissez le code actuel de votre application.
mfa-form-expired = Le formulaire a expiré. Veuillez saisir le code à nouveau.
mfa-enrol-title = Activer la vérification en deux étapes
mfa-enrol-intro = { $portal } demande à chacun de confirmer sa connexion avec un code d’une application d’authentification. Cela prend une minute, une seule fois.
mfa-enrol-submit = Activer et continuer
mfa-cancel = Annuler
mfa-setup-install = Installez une application d’authentification sur votre téléphone (par exemple Google Authenticator, Microsoft Authenticator, 1Password ou Aegis).
mfa-setup-scan = Dans l’application, ajoutez un compte et scannez ce code :
mfa-setup-qr-label = QR code pour ajouter ce portail à votre application d’authentification
mfa-setup-cant-scan = Impossible de le scanner ? Saisissez plutôt cette clé
mfa-setup-key-hint = Basé sur le temps, six chiffres, toutes les 30 secondes.
mfa-setup-enter = Saisissez le code à six chiffres affiché par l’application :
recovery-title = Vos codes de récupération
recovery-heading = Conservez vos codes de récupération
recovery-on = La vérification en deux étapes est activée.
recovery-intro = Si vous perdez votre téléphone, chacun de ces codes vous connecte une fois à la place du code de l’application. Gardez-les en lieu sûr, par exemple dans un gestionnaire de mots de passe.
recovery-only-now = Ils ne sont affichés que maintenant.
recovery-continue = Je les ai conservés, continuer

## Forgotten password, invitation and reset links
forgot-title = Mot de passe oublié ?
forgot-sent = Si cette adresse a un compte ici, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Le lien ne sert qu’une fois, pendant une heure.
forgot-intro = Saisissez l’adresse e-mail de votre compte et nous vous enverrons un lien pour choisir un nouveau mot de passe.
forgot-submit = Envoyer le lien
forgot-expired = Le formulaire a expiré. Veuillez saisir à nouveau votre adresse e-mail.
forgot-too-many = Trop de demandes pour cette adresse. Patientez 15 minutes puis réessayez.
reset-title = Choisir un nouveau mot de passe
reset-intro = { $name }, choisissez un nouveau mot de passe pour votre compte. Vous serez déconnecté partout ailleurs.
reset-submit = Enregistrer le nouveau mot de passe
invite-title = Définir votre mot de passe
invite-intro = Bienvenue, { $name }. Choisissez un mot de passe pour ouvrir votre compte.
invite-submit = Définir le mot de passe et continuer
password-expired = Le formulaire a expiré. Veuillez saisir à nouveau votre mot de passe.
password-label = Mot de passe
password-hint = De 12 à 128 caractères. Les mots de passe très courants sont refusés.
password-again = Confirmer le mot de passe
link-invalid-title = Lien inutilisable
link-invalid-heading = Ce lien ne peut pas être utilisé
link-invalid-text = Les liens de nos e-mails ne servent qu’une fois et pour une durée limitée. Celui-ci a expiré, a déjà été utilisé ou a été remplacé par un e-mail plus récent.
link-invalid-ask = Demandez une nouvelle invitation à votre contact chez { $portal }. Si vous avez déjà défini votre mot de passe, connectez-vous simplement.

## Sign-up and its verification link
signup-title = Créer un compte
signup-restricted = Votre demande est soumise à l’approbation de { $portal } avant que vous puissiez vous connecter.
signup-confirm-first = Nous vous enverrons un e-mail pour confirmer votre adresse avant que vous puissiez vous connecter.
signup-name = Votre nom
signup-submit = Créer le compte
signup-have-account = Vous avez déjà un compte ?
signup-expired = Le formulaire a expiré. Veuillez saisir à nouveau vos mots de passe.
signup-too-many = Trop d’inscriptions pour cette adresse. Patientez un moment puis réessayez.
signup-sent-title = Consultez vos e-mails
signup-sent-link = Si cette adresse peut avoir un compte ici, nous lui avons envoyé un lien pour la confirmer. Ouvrez le lien pour terminer la création de votre compte.
signup-sent-spam = Le lien ne sert qu’une fois, pendant deux jours. Rien reçu ? Regardez dans vos courriers indésirables, ou inscrivez-vous à nouveau pour recevoir un nouveau lien.
signup-thanks-title = Merci
signup-thanks-text = Votre demande a bien été reçue. Vous pourrez vous connecter dès qu’elle sera approuvée ; nous vous tiendrons informé.
verify-title = Confirmez votre adresse e-mail
verify-text = Confirmez que { $email } est bien votre adresse pour terminer la création de votre compte. Vous serez connecté.
verify-submit = Confirmer et se connecter
verified-title = Adresse e-mail confirmée
verified-text = Merci, { $name }. Votre compte est prêt et vous êtes connecté.
verified-continue = Continuer

## Preferences after an invitation
welcome-title = Vos préférences
welcome-intro = Votre mot de passe est défini et vous êtes connecté. Vérifiez comment les dates et heures vous sont affichées ; vous pouvez les garder telles quelles.
welcome-country-hint = Deux lettres, par exemple FR ou US.
welcome-submit = Enregistrer et continuer

## Account
account-title = Votre compte
account-password-heading = Changer votre mot de passe
account-current-password = Mot de passe actuel
account-new-password = Nouveau mot de passe
account-new-password-hint = De 12 à 128 caractères. Les mots de passe très courants sont refusés. Vous serez déconnecté partout ailleurs.
account-new-password-again = Confirmer le nouveau mot de passe
account-change-password = Changer le mot de passe
account-email-heading = Changer votre adresse e-mail
account-email-intro = Vous vous connectez avec { $email }. Nous envoyons un lien à la nouvelle adresse ; le changement prend effet lorsque vous l’ouvrez.
account-new-email = Nouvelle adresse e-mail
account-password-changed = Votre mot de passe est changé. Vous êtes déconnecté partout ailleurs.
account-email-sent = Nous avons envoyé un lien à la nouvelle adresse. Ouvrez-le dans les 24 heures pour confirmer le changement ; d’ici là, votre adresse reste inchangée.
account-too-many = Trop de tentatives. Patientez 15 minutes puis réessayez.
account-mfa-intro = Protégez votre compte avec un code d’une application d’authentification lors de la connexion.
account-mfa-back = ← Votre compte
account-mfa-on = Activée
account-mfa-on-text = À la connexion, vous saisissez un code de votre application d’authentification après votre mot de passe. Il vous reste { $left } codes de récupération sur 10.
account-mfa-renew-heading = Nouveaux codes de récupération
account-mfa-renew-intro = Vos anciens codes de récupération cesseront de fonctionner.
account-mfa-current-code = Code actuel de votre application
account-mfa-renew-submit = Générer de nouveaux codes
account-mfa-off-heading = Désactiver
account-mfa-off-submit = Désactiver la vérification en deux étapes
account-mfa-required = { $portal } exige la vérification en deux étapes ; elle ne peut donc pas être désactivée.
account-mfa-setup-heading = L’activer
account-mfa-setup-intro = Après votre mot de passe, vous saisirez un code d’une application de votre téléphone : un mot de passe volé ne suffira plus à ouvrir votre compte.
account-mfa-turn-on = Activer
account-mfa-turned-off = La vérification en deux étapes est désactivée.
email-change-title = Confirmez votre nouvelle adresse e-mail
email-change-text = { $name }, confirmez que vous souhaitez désormais vous connecter avec { $email }. Vous serez déconnecté partout, et votre adresse précédente sera informée du changement.
email-change-submit = Confirmer la nouvelle adresse
email-changed-title = Adresse e-mail modifiée
email-changed-text = Vous vous connectez désormais avec { $email }.

## Field errors, by field and code (other languages; English keeps the use case's words)
error-password-too-short = Un mot de passe compte au moins 12 caractères
error-password-too-long = Un mot de passe compte au plus 128 caractères
error-password-too-common = Ce mot de passe fait partie des plus courants, que les attaquants essaient en premier ; choisissez-en un autre
error-password-invalid-characters = Un mot de passe ne peut pas contenir de caractères de contrôle (comme NUL, une tabulation ou un saut de ligne)
error-password-mismatch = Les deux mots de passe ne sont pas identiques
error-wrong-password = Ce n’est pas votre mot de passe actuel
error-invalid-code = Ce code n’est pas correct ; saisissez le code actuel de votre application
error-name-required = Votre nom est obligatoire
error-name-too-long = Le nom compte au plus 200 caractères
error-name-invalid-characters = Le nom ne peut pas contenir de caractères de contrôle ni de sauts de ligne
error-email-required = Votre adresse e-mail est obligatoire
error-email-too-long = L’adresse e-mail compte au plus 254 caractères
error-new-email-required = Saisissez la nouvelle adresse e-mail
error-new-email-too-long = L’adresse e-mail compte au plus 254 caractères
error-same-email = C’est déjà votre adresse e-mail
error-same-domain = Cette adresse appartient au domaine de l’entreprise
error-invalid-email = L’adresse e-mail contient des caractères autres que A-Z a-z 0-9 @ . - _ +
error-anonymous-domain = Le domaine de l’adresse est jetable ou bloqué
error-seat-limit = Ce portail n’accepte plus de nouveaux utilisateurs pour le moment
error-invalid-language = La langue est un code comme fr ou fr-CA
error-invalid-time-zone = Le fuseau horaire est un nom comme Europe/Paris ou UTC
error-invalid-country = Le pays est un code de deux lettres comme FR ou US

## A disabled portal
maintenance-title = Temporairement indisponible
