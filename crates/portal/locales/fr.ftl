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
