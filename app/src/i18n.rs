//! English and German for every screen. Each message is one enum variant with both texts, so a
//! missing translation does not compile. `{name}` placeholders are filled by [`tf`].
use gatehouse_domain::locale::Locale;

macro_rules! messages {
    ($($key:ident => $en:expr, $de:expr;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($key),* }
        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];
            pub fn text(self, locale: Locale) -> &'static str {
                match locale {
                    Locale::En => match self { $(Msg::$key => $en),* },
                    Locale::De => match self { $(Msg::$key => $de),* },
                }
            }
        }
    };
}

messages! {
    AppName => "Gatehouse", "Gatehouse";
    SkipToContent => "Skip to content", "Zum Inhalt springen";
    SignIn => "Sign in", "Anmelden";
    SignOut => "Sign out", "Abmelden";
    SignInTitle => "Sign in to Gatehouse", "Bei Gatehouse anmelden";
    SignInIntro => "Use the email address and password of your Gatehouse account.", "Verwenden Sie die E-Mail-Adresse und das Passwort Ihres Gatehouse-Kontos.";
    Email => "Email", "E-Mail";
    Password => "Password", "Passwort";
    InvalidCredentials => "The email address or password is not correct.", "E-Mail-Adresse oder Passwort ist nicht korrekt.";
    Throttled => "Too many failed attempts. Try again in {seconds} seconds.", "Zu viele Fehlversuche. Bitte in {seconds} Sekunden erneut versuchen.";
    SignInLinkOffer => "Is this your account? We can email you a link that signs you in without the password.", "Ist das Ihr Konto? Wir können Ihnen einen Link schicken, der Sie ohne Passwort anmeldet.";
    SendSignInLink => "Email me a sign-in link", "Anmeldelink per E-Mail senden";
    SignInLinkSent => "If an account has this address and its password sign-in is paused, a sign-in link is on its way. It works once, for 15 minutes.", "Wenn ein Konto diese Adresse hat und seine Anmeldung mit Passwort pausiert ist, ist ein Anmeldelink unterwegs. Er funktioniert einmal, 15 Minuten lang.";
    SignInLinkInvalid => "This sign-in link does not work any more: it was used, replaced by a newer one or has expired. Sign in with your password, or ask for a new link.", "Dieser Anmeldelink funktioniert nicht mehr: Er wurde benutzt, durch einen neueren ersetzt oder ist abgelaufen. Melden Sie sich mit Ihrem Passwort an oder fordern Sie einen neuen Link an.";
    SignInLinkTitle => "Sign in with your link", "Mit Ihrem Link anmelden";
    SignInLinkIntro => "This link from your mail signs you in once, without your password.", "Dieser Link aus Ihrer E-Mail meldet Sie einmal ohne Passwort an.";
    PasswordThrottled => "Too many wrong passwords. Try again in {seconds} seconds.", "Zu viele falsche Passwörter. Bitte in {seconds} Sekunden erneut versuchen.";
    SignedOut => "You have been signed out.", "Sie wurden abgemeldet.";
    SessionExpired => "Your session has ended. Please sign in again.", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.";
    Language => "Language", "Sprache";
    ChangeLanguage => "Change", "Wechseln";
    SwitchOrganization => "Switch organization", "Organisation wechseln";
    YourOrganizations => "Your organizations", "Ihre Organisationen";
    ChooseOrganization => "Choose the organization you want to work in.", "Wählen Sie die Organisation, in der Sie arbeiten möchten.";
    NoOrganizations => "You are not an active member of any organization.", "Sie sind in keiner Organisation aktives Mitglied.";
    Administrator => "Administration", "Verwaltung";
    Dashboard => "Dashboard", "Übersicht";
    Members => "Members", "Mitglieder";
    Units => "Units", "Einheiten";
    MyPage => "My page", "Meine Seite";
    MainNavigation => "Main navigation", "Hauptnavigation";
    WhyRefused => "Why", "Warum";
    Saved => "Saved.", "Gespeichert.";
    Roles => "Roles", "Rollen";
    RoleMatrix => "Role matrix", "Rollenmatrix";
    RoleMatrixCaption => "Every role and what it grants: scope and, for people's data, visibility.", "Jede Rolle und was sie gewährt: Reichweite und bei Personendaten die Sichtbarkeit.";
    WhoCan => "Who can …?", "Wer darf …?";
    WhoCanCount => "{count} people", "{count} Personen";
    Ask => "Ask", "Fragen";
    Description => "Description", "Beschreibung";
    Permissions => "Permissions", "Berechtigungen";
    Permission => "Permission", "Berechtigung";
    Assignments => "Assignments", "Zuweisungen";
    Retired => "retired", "stillgelegt";
    NewRole => "New role", "Neue Rolle";
    RoleName => "Name", "Name";
    RoleKey => "Key", "Schlüssel";
    StartFrom => "Start from", "Ausgehend von";
    StartBlank => "Nothing (blank)", "Nichts (leer)";
    CreateRole => "Create role", "Rolle anlegen";
    ApplyTemplate => "Apply a template", "Vorlage anwenden";
    ApplyTemplateHelp => "Adds the template's content modules and the roles you do not have yet; roles you already have stay as they are.", "Fügt die Inhaltsmodule der Vorlage und die noch fehlenden Rollen hinzu; vorhandene Rollen bleiben unverändert.";
    Template => "Template", "Vorlage";
    RoleFacts => "Key {key} · assigned {count} times", "Schlüssel {key} · {count}-mal zugewiesen";
    FromTemplate => "from template “{template}” ({role})", "aus Vorlage „{template}“ ({role})";
    AnchoredAt => "assigned at units of the kind “{kind}”", "zugewiesen an Einheiten der Art „{kind}“";
    Requestable => "Members may request this role", "Mitglieder dürfen diese Rolle anfragen";
    RoleGrantsCaption => "What this role grants: for the member themself (own), at the unit it is assigned at and below (unit), or in the whole organization.", "Was diese Rolle gewährt: für das Mitglied selbst (eigene), in der zugewiesenen Einheit und darunter (Einheit) oder in der ganzen Organisation.";
    Visibility => "Visibility", "Sichtbarkeit";
    SaveRole => "Save role", "Rolle speichern";
    DiffToTemplate => "Differences to the template", "Abweichungen von der Vorlage";
    InTemplate => "In the template", "In der Vorlage";
    Now => "Now", "Jetzt";
    SameAsTemplate => "This role is as the template defines it.", "Diese Rolle entspricht der Vorlage.";
    RetireRole => "Retire role", "Rolle stilllegen";
    RetireHelp => "A retired role keeps its history and can no longer be assigned. A role still assigned is only retired together with ending its assignments.", "Eine stillgelegte Rolle behält ihre Historie und kann nicht mehr zugewiesen werden. Eine noch zugewiesene Rolle wird nur zusammen mit dem Beenden ihrer Zuweisungen stillgelegt.";
    EndAssignmentsToo => "End its {count} assignments now", "Ihre {count} Zuweisungen jetzt beenden";
    ExportCsv => "Export as CSV", "Als CSV exportieren";
    Access => "Access", "Zugriff";
    Actions => "Actions", "Aktionen";
    Remove => "Remove", "Entfernen";
    AssignRole => "Assign role", "Rolle zuweisen";
    Deviations => "Personal deviations", "Persönliche Abweichungen";
    NoDeviations => "None: exactly what the roles grant.", "Keine: genau das, was die Rollen gewähren.";
    DeviationWithdrawn => "Withdrawn: {permission}", "Entzogen: {permission}";
    DeviationAdded => "Added: {permission}, {scope}", "Hinzugefügt: {permission}, {scope}";
    Undo => "Undo", "Rückgängig";
    Change => "Change", "Änderung";
    AddPermission => "Add a permission", "Berechtigung hinzufügen";
    WithdrawPermission => "Withdraw a permission", "Berechtigung entziehen";
    Scope => "Scope", "Reichweite";
    Note => "Note", "Notiz";
    Apply => "Apply", "Anwenden";
    EffectivePermissions => "Effective permissions", "Wirksame Berechtigungen";
    NoPermissions => "No permissions.", "Keine Berechtigungen.";
    Why => "Why?", "Warum?";
    OrgRole => "Organization role", "Organisationsrolle";
    OrgRolesHelp => "Who manages the organization. There is always exactly one owner; each role is appointed only by those named beside it.", "Wer die Organisation verwaltet. Es gibt immer genau einen Inhaber; jede Rolle vergeben nur die daneben Genannten.";
    Holders => "Held by", "Inhaber der Rolle";
    AppointedBy => "Appointed by", "Vergeben durch";
    NoOne => "No one", "Niemand";
    Appoint => "Appoint", "Ernennen";
    Content => "Content", "Inhalte";
    ContentHelp => "Items of the organization's content modules that you may see.", "Elemente der Inhaltsmodule der Organisation, die Sie sehen dürfen.";
    NoItems => "No items you may see.", "Keine Elemente, die Sie sehen dürfen.";
    Title => "Title", "Titel";
    Creator => "Created by", "Erstellt von";
    Owner => "Owner", "Verantwortlich";
    Updated => "Changed", "Geändert";
    NewItem => "New item", "Neues Element";
    Create => "Create", "Anlegen";
    OwnerEmail => "Owner (email, optional)", "Verantwortlich (E-Mail, optional)";
    Save => "Save", "Speichern";
    Delete => "Delete", "Löschen";
    BulkDelete => "Delete (as creator)", "Löschen (als Ersteller)";
    ChooseModule => "Choose a module.", "Wählen Sie ein Modul.";
    DeclareModule => "Declare a content module", "Inhaltsmodul festlegen";
    DeclareModuleHelp => "A module of your applications and its actions; each action becomes a permission roles can grant. One action per line: key | English | German (add “| people” when it concerns people's data). An existing module gets the actions it lacks.", "Ein Modul Ihrer Anwendungen und seine Aktionen; jede Aktion wird eine Berechtigung, die Rollen gewähren können. Eine Aktion pro Zeile: Schlüssel | Englisch | Deutsch (mit „| personen“, wenn sie Personendaten betrifft). Ein vorhandenes Modul erhält die fehlenden Aktionen.";
    NameEnglish => "Name (English)", "Name (Englisch)";
    ModuleKey => "Module key", "Modulschlüssel";
    Invited => "Invited", "Eingeladen";
    Mail => "Mail", "E-Mails";
    MailHelp => "Mail about this organization: queued, sent, and what could not be delivered and why. Bodies of sent mail are kept 30 days.", "E-Mails zu dieser Organisation: wartend, gesendet und was nicht zugestellt werden konnte und warum. Inhalte gesendeter E-Mails werden 30 Tage aufbewahrt.";
    AllMail => "All", "Alle";
    MailFailed => "Failed", "Fehlgeschlagen";
    MailQueued => "Queued", "Wartend";
    MailSent => "Sent", "Gesendet";
    NoMail => "No mail.", "Keine E-Mails.";
    Recipient => "To", "An";
    Subject => "Subject", "Betreff";
    Queued => "Queued at", "Eingereiht";
    SendAgain => "Send again", "Erneut senden";
    ForgotPassword => "Forgot your password?", "Passwort vergessen?";
    ForgotPasswordIntro => "Enter the email address of your account. If it belongs to an account, we send a link to choose a new password.", "Geben Sie die E-Mail-Adresse Ihres Kontos ein. Gehört sie zu einem Konto, senden wir einen Link, mit dem Sie ein neues Passwort festlegen.";
    SendResetLink => "Send the link", "Link senden";
    ResetSent => "If the address belongs to an account, a link is on its way. It works once and for two hours.", "Wenn die Adresse zu einem Konto gehört, ist ein Link unterwegs. Er funktioniert einmal und zwei Stunden lang.";
    BackToSignIn => "Back to sign-in", "Zurück zur Anmeldung";
    ChooseNewPassword => "Choose a new password", "Neues Passwort festlegen";
    PasswordRules => "At least 12 characters, mixing letters with digits, capitals or symbols.", "Mindestens 12 Zeichen, Buchstaben gemischt mit Ziffern, Großbuchstaben oder Sonderzeichen.";
    NewPassword => "New password", "Neues Passwort";
    RepeatPassword => "Repeat the new password", "Neues Passwort wiederholen";
    SavePassword => "Save the password", "Passwort speichern";
    PasswordTooWeak => "This password is too weak. Use at least 12 characters, mixing letters with digits, capitals or symbols.", "Dieses Passwort ist zu schwach. Verwenden Sie mindestens 12 Zeichen, Buchstaben gemischt mit Ziffern, Großbuchstaben oder Sonderzeichen.";
    PasswordsDiffer => "The two passwords differ.", "Die beiden Passwörter stimmen nicht überein.";
    YourAccount => "Your account", "Ihr Konto";
    AccountHelp => "Your sign-in identity, the same in every organization you belong to.", "Ihre Anmeldeidentität, dieselbe in jeder Organisation, der Sie angehören.";
    EmailAddress => "Email address", "E-Mail-Adresse";
    ChangeEmail => "Change your email address", "E-Mail-Adresse ändern";
    ChangeEmailHelp => "We send a link to the new address; the change happens once you open it there. Your current address is told and can cancel the change.", "Wir senden einen Link an die neue Adresse; die Änderung erfolgt, sobald Sie ihn dort öffnen. Ihre bisherige Adresse wird benachrichtigt und kann die Änderung abbrechen.";
    NewEmail => "New email address", "Neue E-Mail-Adresse";
    CurrentPassword => "Current password", "Aktuelles Passwort";
    SendConfirmation => "Send the confirmation link", "Bestätigungslink senden";
    EmailChangeSent => "Check the new address's inbox and open the link to confirm the change.", "Öffnen Sie den Link im Postfach der neuen Adresse, um die Änderung zu bestätigen.";
    EmailChangePending => "Waiting for confirmation: {email} (the link works until {at}).", "Wartet auf Bestätigung: {email} (der Link gilt bis {at}).";
    WrongPassword => "The password is not right. Nothing was changed.", "Das Passwort stimmt nicht. Es wurde nichts geändert.";
    SameAddress => "That is already your address.", "Das ist bereits Ihre Adresse.";
    AddressTaken => "Another account uses this address.", "Ein anderes Konto verwendet diese Adresse.";
    ConfirmEmailTitle => "Confirm your new email address", "Neue E-Mail-Adresse bestätigen";
    ConfirmEmailText => "From now on, {new} will be the address of the account that now uses {old}.", "Ab sofort wird {new} die Adresse des Kontos sein, das jetzt {old} verwendet.";
    ConfirmEmailButton => "Confirm the new address", "Neue Adresse bestätigen";
    EmailChangedText => "Your email address was changed. Sign in with the new address from now on.", "Ihre E-Mail-Adresse wurde geändert. Melden Sie sich ab jetzt mit der neuen Adresse an.";
    CancelEmailTitle => "Cancel the email address change", "Änderung der E-Mail-Adresse abbrechen";
    CancelEmailText => "Someone asked to change the address of the account {old} to {new}. Cancel it if it was not you.", "Jemand hat verlangt, die Adresse des Kontos {old} in {new} zu ändern. Brechen Sie ab, wenn Sie es nicht waren.";
    CancelEmailButton => "Cancel the change", "Änderung abbrechen";
    EmailChangeCancelled => "The change was cancelled; your address stays as it was. If you did not ask for it, change your password.", "Die Änderung wurde abgebrochen; Ihre Adresse bleibt. Wenn Sie sie nicht verlangt haben, ändern Sie Ihr Passwort.";
    EmailLinkInvalid => "This link no longer works: it was used, cancelled or has expired.", "Dieser Link funktioniert nicht mehr: Er wurde benutzt, abgebrochen oder ist abgelaufen.";
    ResetLinkInvalid => "This link has expired or was already used. Ask for a new one.", "Dieser Link ist abgelaufen oder wurde schon benutzt. Fordern Sie einen neuen an.";
    PasswordChanged => "Your password was changed. Sign in with the new one; every other session was ended.", "Ihr Passwort wurde geändert. Melden Sie sich mit dem neuen an; alle anderen Sitzungen wurden beendet.";
    Invite => "Invite", "Einladen";
    InviteEmail => "Invite by email", "Per E-Mail einladen";
    NameGerman => "Name (German)", "Name (Deutsch)";
    ModuleActions => "Actions", "Aktionen";
    NotChanged => "Nothing was changed", "Nichts wurde geändert";
    ServiceUnavailable => "The service is temporarily unavailable. Nothing was changed; please try again.", "Der Dienst ist vorübergehend nicht verfügbar. Es wurde nichts geändert; bitte erneut versuchen.";
    TryAgain => "Something changed at the same time. Nothing was saved; please try again.", "Gleichzeitig hat sich etwas geändert. Nichts wurde gespeichert; bitte erneut versuchen.";
    InvalidValueOf => "“{value}” is not a valid {field}.", "„{value}“ ist kein gültiger Wert für {field}.";
    MissingValueOf => "Please fill in {field}.", "Bitte {field} ausfüllen.";
    FieldName => "name", "Name";
    FieldKey => "key (lowercase letters, digits, underscores)", "Schlüssel (Kleinbuchstaben, Ziffern, Unterstriche)";
    FieldRole => "role", "Rolle";
    FieldUnit => "unit", "Einheit";
    FieldEndDate => "end date (in the future)", "Enddatum (in der Zukunft)";
    FieldEmail => "email address of a member", "E-Mail-Adresse eines Mitglieds";
    FieldTitle => "title", "Titel";
    InvalidInputOther => "The input is not valid: {detail}", "Die Eingabe ist ungültig: {detail}";
    ChangedBy => "{name} changed this at {at}. Reload to see their version; nothing of yours was saved over it.", "{name} hat dies um {at} geändert. Laden Sie neu, um diese Fassung zu sehen; Ihre Eingabe hat nichts überschrieben.";
    DenyOwnAccess => "Nobody changes their own roles, permissions or organization roles.", "Niemand ändert die eigenen Rollen, Berechtigungen oder Organisationsrollen.";
    DenyMissing => "You need “{permission}” {scope} for this.", "Dafür brauchen Sie „{permission}“ {scope}.";
    DenyWouldEscalate => "You cannot hand out “{permission}” {scope}: you do not hold it there yourself.", "Sie können „{permission}“ {scope} nicht vergeben: Sie haben sie dort selbst nicht.";
    DenyRetiredRole => "This role is retired and cannot be assigned.", "Diese Rolle ist stillgelegt und kann nicht zugewiesen werden.";
    DenyRoleInUse => "This role is still assigned {count} times. End those assignments together with it, or keep the role.", "Diese Rolle ist noch {count}-mal zugewiesen. Beenden Sie diese Zuweisungen mit ihr oder behalten Sie die Rolle.";
    DenyAnchorKind => "This role is meant for units of the kind “{kind}”.", "Diese Rolle ist für Einheiten der Art „{kind}“ gedacht.";
    DenyUnknownPermission => "“{permission}” is not a permission of this organization.", "„{permission}“ ist keine Berechtigung dieser Organisation.";
    DenyOwnerKind => "Auditors and external members cannot own items.", "Prüfer und externe Mitglieder können keine Elemente verantworten.";
    DenyOwnerPermission => "This person may not be named owner here (needs “{permission}”).", "Diese Person kann hier nicht als Verantwortliche benannt werden (braucht „{permission}“).";
    DenyOnlyBy => "Only {roles} may appoint or remove this organization role.", "Nur {roles} dürfen diese Organisationsrolle vergeben oder entziehen.";
    DenyOwnerMustBeMember => "The owner must be a member of the organization.", "Der Inhaber muss Mitglied der Organisation sein.";
    DenyOwnerHandedOver => "There is always exactly one owner: ownership is handed over by the owner, never removed.", "Es gibt immer genau einen Inhaber: Die Inhaberschaft wird vom Inhaber übergeben, nie entfernt.";
    DenyMainOwnerNeedsCoOwner => "A main owner can be chosen once there is at least one co-owner.", "Ein Hauptinhaber kann gewählt werden, sobald es mindestens einen Mitinhaber gibt.";
    DenyMainOwnerFromOwners => "The main owner is chosen from the owner and the co-owners.", "Der Hauptinhaber wird aus Inhaber und Mitinhabern gewählt.";
    DenyMainAdminNeedsTwo => "A main administrator can be chosen once there are at least two administrators.", "Ein Hauptadministrator kann gewählt werden, sobald es mindestens zwei Administratoren gibt.";
    DenyMainAdminFromAdmins => "The main administrator is chosen from the administrators.", "Der Hauptadministrator wird aus den Administratoren gewählt.";
    DenyAlreadyHeld => "This person already holds that role.", "Diese Person hat diese Rolle bereits.";
    DenyNotHeld => "This person does not hold that role.", "Diese Person hat diese Rolle nicht.";
    ReasonOwner => "{role}: owners hold every permission.", "{role}: Inhaber haben jede Berechtigung.";
    ReasonAdministrator => "{role}: administrators hold the administration permissions.", "{role}: Administratoren haben die Verwaltungsberechtigungen.";
    ReasonOrgRoleGrant => "It comes with the organization role {role}.", "Sie gehört zur Organisationsrolle {role}.";
    ReasonRoleOrganization => "Role {role}, for the whole organization.", "Rolle {role}, für die gesamte Organisation.";
    ReasonRoleUnit => "Role {role} at {anchor} and below{via}.", "Rolle {role} in {anchor} und darunter{via}.";
    ReasonRoleOwn => "Role {role}, for the member's own things.", "Rolle {role}, für eigene Dinge des Mitglieds.";
    ReasonVia => " (reaching {path})", " (über {path})";
    ReasonAdded => "Added personally, {scope}.", "Persönlich hinzugefügt, {scope}.";
    ReasonWithdrawn => "This permission was withdrawn personally; that overrides every role.", "Diese Berechtigung wurde persönlich entzogen; das geht jeder Rolle vor.";
    ReasonExpired => "Role {role} ended on {date}.", "Rolle {role} ist am {date} abgelaufen.";
    ReasonOutOfScopeUnit => "{role} grants it only at {anchor} and below.", "{role} gewährt sie nur in {anchor} und darunter.";
    ReasonOutOfScopeOwn => "{role} grants it only for the member's own things.", "{role} gewährt sie nur für eigene Dinge des Mitglieds.";
    ReasonOutOfScopeOrganization => "{role} does not reach this.", "{role} reicht nicht bis hierher.";
    ReasonAdministratorsSeeNoContent => "Administrators manage the organization but do not see its content.", "Administratoren verwalten die Organisation, sehen aber keine Inhalte.";
    ReasonNoGrant => "No role grants “{permission}”.", "Keine Rolle gewährt „{permission}“.";
    ReasonCreatorRule => "Creator rule: whoever may create these may edit and delete what they created.", "Erstellerregel: Wer solche erstellen darf, darf Selbsterstelltes bearbeiten und löschen.";
    ReasonBulkLimitedToCreator => "Only the person who created it may delete or replace it in bulk.", "Nur die Person, die es erstellt hat, darf es in einer Sammelaktion löschen oder ersetzen.";
    ReasonPersonalAddition => "a personal addition", "eine persönliche Ergänzung";
    ScopeOrganization => "for the whole organization", "für die gesamte Organisation";
    AreaMembers => "Members", "Mitglieder";
    AreaUnits => "Units", "Einheiten";
    AreaRoles => "Roles", "Rollen";
    AreaAccessRequests => "Access requests", "Zugriffsanfragen";
    AreaCompliance => "Compliance", "Compliance";
    AreaReviews => "Access reviews", "Zugriffsüberprüfungen";
    AreaAudit => "Audit log", "Prüfprotokoll";
    AreaSettings => "Settings", "Einstellungen";
    AreaLicenses => "Licenses", "Lizenzen";
    AreaApiKeys => "API keys", "API-Schlüssel";
    AreaSupport => "Support", "Support";
    GrantOwn => "own", "eigene";
    GrantUnit => "unit", "Einheit";
    GrantOrganization => "organization", "Organisation";
    VisAggregate => "figures only", "nur Kennzahlen";
    VisIndividual => "individuals", "einzeln";
    ScopeUnit => "at {unit} and below", "in {unit} und darunter";
    ScopeOwn => "for their own things", "für eigene Dinge";
    RefusedPermission => "You need the permission “{permission}” for this.", "Dafür brauchen Sie die Berechtigung „{permission}“.";
    Loading => "Loading…", "Wird geladen …";
    NotFound => "Not found", "Nicht gefunden";
    NotFoundText => "This page does not exist, or you have no access to it.", "Diese Seite existiert nicht, oder Sie haben keinen Zugriff darauf.";
    Forbidden => "No access", "Kein Zugriff";
    LinkExpired => "This link has expired", "Dieser Link ist abgelaufen";
    LinkExpiredText => "Links in Gatehouse mail work for {days} days. The page itself is still there for whoever may see it.", "Links in E-Mails von Gatehouse gelten {days} Tage. Die Seite selbst gibt es weiterhin für alle, die sie sehen dürfen.";
    LinkInvalid => "This link is not valid", "Dieser Link ist ungültig";
    LinkInvalidText => "It was changed on the way or was not written by Gatehouse, or its key was withdrawn. Nothing was opened from it.", "Er wurde unterwegs verändert oder stammt nicht von Gatehouse, oder sein Schlüssel wurde zurückgezogen. Über ihn wurde nichts geöffnet.";
    LinkOpenPage => "Open the page in the portal", "Seite im Portal öffnen";
    ContactOwners => "To get access, contact: {names}.", "Für Zugriff wenden Sie sich an: {names}.";
    SignInRequired => "Please sign in to continue.", "Bitte melden Sie sich an, um fortzufahren.";
    ErrorGeneric => "Something went wrong. Nothing was changed; please try again.", "Etwas ist schiefgegangen. Es wurde nichts geändert; bitte versuchen Sie es erneut.";
    BackToStart => "Back to the start page", "Zurück zur Startseite";
    // Dashboard
    MembersByStatus => "Members by status", "Mitglieder nach Status";
    MembersByKind => "Members by kind", "Mitglieder nach Art";
    ActiveCounted => "Active members", "Aktive Mitglieder";
    ActiveCountedHint => "auditors are not counted", "Prüfer werden nicht mitgezählt";
    InvitedMembers => "Open invitations", "Offene Einladungen";
    UnitsCount => "Units", "Einheiten";
    RolesCount => "Roles in use", "Aktive Rollen";
    TagsCount => "Tags", "Schlagwörter";
    RecentActivity => "Recent activity", "Letzte Aktivitäten";
    NoActivity => "Nothing has happened yet.", "Noch keine Aktivitäten.";
    ShowMembers => "Show members", "Mitglieder anzeigen";
    // Statuses and kinds
    StatusInvited => "Invited", "Eingeladen";
    StatusActive => "Active", "Aktiv";
    StatusTerminated => "Terminated", "Beendet";
    StatusAnonymized => "Anonymized", "Anonymisiert";
    KindEmployee => "Employee", "Mitarbeitende";
    KindPartner => "Partner", "Partner";
    KindAuditor => "Auditor", "Prüfer";
    KindExternal => "External", "Extern";
    // Members list
    Search => "Search", "Suche";
    SearchPlaceholder => "Name or email", "Name oder E-Mail";
    Unit => "Unit", "Einheit";
    Tag => "Tag", "Schlagwort";
    Kind => "Kind", "Art";
    Status => "Status", "Status";
    Any => "Any", "Alle";
    Name => "Name", "Name";
    Joined => "Added", "Hinzugefügt";
    SortBy => "Sort by", "Sortieren nach";
    Descending => "Descending", "Absteigend";
    ApplyFilters => "Apply", "Anwenden";
    ResetFilters => "Reset", "Zurücksetzen";
    MemberCount => "{count} members", "{count} Mitglieder";
    PageOf => "Page {page} of {pages}", "Seite {page} von {pages}";
    Previous => "Previous", "Zurück";
    Next => "Next", "Weiter";
    Pagination => "Pages", "Seiten";
    NoMembers => "No members match these filters.", "Keine Mitglieder entsprechen diesen Filtern.";
    Tags => "Tags", "Schlagwörter";
    MembersFilters => "Filter members", "Mitglieder filtern";
    // Member detail
    MemberDetails => "Member details", "Mitgliedsdaten";
    MobilePhone => "Mobile phone", "Mobiltelefon";
    JobTitle => "Job title", "Funktion";
    EndDate => "Membership ends", "Mitgliedschaft endet";
    PreferredLanguage => "Language", "Sprache";
    OrgRoles => "Organization roles", "Organisationsrollen";
    RoleAssignments => "Role assignments", "Rollenzuweisungen";
    Role => "Role", "Rolle";
    WholeOrganization => "Whole organization", "Gesamte Organisation";
    Until => "Until", "Bis";
    NoEnd => "No end date", "Unbefristet";
    Expired => "expired", "abgelaufen";
    NoRoles => "No roles assigned.", "Keine Rollen zugewiesen.";
    NoOrgRoles => "None", "Keine";
    LastChanged => "Last changed {at} by {who} (version {version})", "Zuletzt geändert am {at} von {who} (Version {version})";
    MemberSince => "Member since", "Mitglied seit";
    RoleHolderOnly => "Role holder only (not a member)", "Nur Rolleninhaber (kein Mitglied)";
    History => "History", "Verlauf";
    NotSet => "—", "—";
    BackToMembers => "Back to members", "Zurück zu den Mitgliedern";
    // Units
    UnitTree => "Organization structure", "Organisationsstruktur";
    ExpandAll => "Expand all", "Alle aufklappen";
    CollapseAll => "Collapse all", "Alle zuklappen";
    ToggleUnit => "Show or hide units below {name}", "Einheiten unter {name} ein- oder ausblenden";
    DirectMembers => "{count} direct", "{count} direkt";
    TotalMembers => "{count} in total", "{count} insgesamt";
    NoUnits => "This organization has no units yet.", "Diese Organisation hat noch keine Einheiten.";
    // Organization roles
    OrgRoleOwner => "Owner", "Inhaber";
    OrgRoleCoOwner => "Co-owner", "Mitinhaber";
    OrgRoleMainOwner => "Main owner", "Hauptinhaber";
    OrgRolePaymentUser => "Payment user", "Zahlungsverantwortlicher";
    OrgRoleAuthorizedBuyer => "Authorized buyer", "Einkaufsberechtigter";
    OrgRoleComplianceManager => "Compliance manager", "Compliance-Manager";
    OrgRoleAdministrator => "Administrator", "Administrator";
    OrgRoleMainAdministrator => "Main administrator", "Hauptadministrator";
    OrgRoleSupportTeam => "Support team", "Support-Team";
    // Audit
    ActorSystem => "System", "System";
    ActorBackground => "Background user", "Hintergrundbenutzer";
    ActorApiKey => "API key", "API-Schlüssel";
    ActorStaff => "Platform staff", "Plattform-Team";
    AuditOrganizationCreated => "created the organization", "hat die Organisation angelegt";
    AuditUnitCreated => "created a unit", "hat eine Einheit angelegt";
    AuditMemberAdded => "added a member", "hat ein Mitglied hinzugefügt";
    AuditOrgRoleGranted => "granted an organization role", "hat eine Organisationsrolle vergeben";
    AuditRoleCreated => "created a role", "hat eine Rolle angelegt";
    AuditRoleAssigned => "assigned a role", "hat eine Rolle zugewiesen";
    AuditTagCreated => "created a tag", "hat ein Schlagwort angelegt";
    AuditMemberInvited => "invited a person", "hat eine Person eingeladen";
    AuditInvitationAccepted => "accepted an invitation", "hat eine Einladung angenommen";
    AuditInvitationResent => "sent an invitation again", "hat eine Einladung erneut gesendet";
    AuditInvitationRevoked => "withdrew an invitation", "hat eine Einladung zurückgezogen";
    AuditInvitationReminded => "reminded of an invitation", "hat an eine Einladung erinnert";
    AuditInvitationExpired => "noted an expired invitation", "hat eine abgelaufene Einladung vermerkt";
    AuditRequestCreated => "asked for access", "hat Zugriff angefragt";
    AuditRequestApproved => "approved an access request", "hat eine Zugriffsanfrage genehmigt";
    AuditRequestDenied => "denied an access request", "hat eine Zugriffsanfrage abgelehnt";
    AuditRequestExpired => "noted an expired access request", "hat eine abgelaufene Zugriffsanfrage vermerkt";
    AuditRequestReminded => "reminded approvers of an access request", "hat an eine Zugriffsanfrage erinnert";
    AuditRequestRevoked => "revoked access granted by a request", "hat per Anfrage gewährten Zugriff entzogen";
    AuditRequestWithdrawn => "withdrew an access request", "hat eine Zugriffsanfrage zurückgezogen";
    AuditModuleDeclared => "declared a content module", "hat ein Inhaltsmodul angelegt";
    AuditEmailChangeRequested => "asked to change an email address", "hat die Änderung einer E-Mail-Adresse angefordert";
    AuditEmailChanged => "changed an email address", "hat eine E-Mail-Adresse geändert";
    AuditEmailChangeCancelled => "cancelled an email address change", "hat die Änderung einer E-Mail-Adresse abgebrochen";
    AuditEmailChangeReverted => "undid an email address change", "hat die Änderung einer E-Mail-Adresse rückgängig gemacht";
    RevertEmailTitle => "Undo the address change", "Adressänderung rückgängig machen";
    RevertEmailText => "Your account's address was changed. Undoing the change gives the account {old} back, ends every session and clears the password: a link to set a new one goes to {old}.", "Die Adresse Ihres Kontos wurde geändert. Wird die Änderung rückgängig gemacht, erhält das Konto {old} zurück, alle Sitzungen enden und das Passwort wird gelöscht: Ein Link zum Setzen eines neuen geht an {old}.";
    RevertEmailButton => "Undo the change", "Änderung rückgängig machen";
    EmailChangeReverted => "The change was undone. Every session has ended; we sent a link to set a new password to your address.", "Die Änderung wurde rückgängig gemacht. Alle Sitzungen sind beendet; ein Link zum Setzen eines neuen Passworts ist an Ihre Adresse unterwegs.";
    AuditItemCreated => "created an item", "hat einen Eintrag angelegt";
    AuditItemEdited => "edited an item", "hat einen Eintrag bearbeitet";
    AuditItemDeleted => "deleted an item", "hat einen Eintrag gelöscht";
    AuditItemInvited => "added a member to an item", "hat ein Mitglied zu einem Eintrag hinzugefügt";
    AuditLinkKeyRotated => "started a new key for mail links", "hat einen neuen Schlüssel für E-Mail-Links begonnen";
    AuditMailRetried => "sent a failed mail again", "hat eine fehlgeschlagene E-Mail erneut gesendet";
    AuditMailTestQueued => "queued a test mail", "hat eine Test-E-Mail eingereiht";
    AuditImportUploaded => "uploaded a member import", "hat einen Mitgliederimport hochgeladen";
    AuditImportStarted => "started a member import", "hat einen Mitgliederimport gestartet";
    AuditImportFinished => "finished a member import", "hat einen Mitgliederimport abgeschlossen";
    AuditImportDiscarded => "discarded a member import", "hat einen Mitgliederimport verworfen";
    AuditOrgRoleRemoved => "removed an organization role", "hat eine Organisationsrolle entzogen";
    AuditInvitationSettings => "changed the invitation settings", "hat die Einladungseinstellungen geändert";
    AuditRequestSettings => "changed the access request settings", "hat die Einstellungen für Zugriffsanfragen geändert";
    AuditPasswordResetRequested => "asked for a password reset", "hat das Zurücksetzen eines Passworts angefordert";
    AuditPasswordReset => "reset a password", "hat ein Passwort zurückgesetzt";
    AuditPermissionAdjusted => "adjusted a member's permissions", "hat die Berechtigungen eines Mitglieds angepasst";
    AuditAdjustmentRemoved => "removed a permission adjustment", "hat eine Berechtigungsanpassung entfernt";
    AuditAssignmentEnded => "ended a role assignment", "hat eine Rollenzuweisung beendet";
    AuditRoleEdited => "edited a role", "hat eine Rolle bearbeitet";
    AuditRoleGrantsSet => "changed a role's permissions", "hat die Berechtigungen einer Rolle geändert";
    AuditRoleRetired => "retired a role", "hat eine Rolle stillgelegt";
    AuditRoleUnassigned => "removed a role assignment", "hat eine Rollenzuweisung entfernt";
    AuditTemplateApplied => "applied a role model template", "hat eine Rollenmodell-Vorlage angewendet";
    AuditUserSignedIn => "signed in", "hat sich angemeldet";
    AuditSignInLinkRequested => "asked for a sign-in link", "hat einen Anmeldelink angefordert";
    LinkAdded => "added: {permission}", "hinzugefügt: {permission}";
    LinkWithdrawn => "withdrawn: {permission}", "entzogen: {permission}";
    LinkReqRole => "role", "Rolle";
    LinkReqPermission => "single permission", "Einzelberechtigung";
    LinkReqUnit => "joining a unit", "Aufnahme in eine Einheit";
    Invitations => "Invitations", "Einladungen";
    InvitePeople => "Invite people", "Personen einladen";
    InvitationsHelp => "Invited people get a link by email. It works once and until it expires; sending it again replaces it. People who already have a Gatehouse account accept by signing in with it.", "Eingeladene erhalten einen Link per E-Mail. Er funktioniert einmal und bis zum Ablauf; erneutes Senden ersetzt ihn. Wer bereits ein Gatehouse-Konto hat, nimmt an, indem er sich damit anmeldet.";
    AddPerson => "Add a person", "Person hinzufügen";
    PhoneHint => "With country code (+49 151 …) or as dialled in {region}.", "Mit Ländervorwahl (+49 151 …) oder wie in {region} gewählt.";
    PhoneHintIntl => "With country code, e.g. +49 151 12345678.", "Mit Ländervorwahl, z. B. +49 151 12345678.";
    Required => "required", "Pflichtfeld";
    Optional => "optional", "optional";
    InitialRole => "Initial role", "Anfangsrolle";
    InitialRoleHint => "Given at the first unit chosen, or organization-wide without units.", "Wird an der ersten gewählten Einheit vergeben, ohne Einheit organisationsweit.";
    NoRole => "No role", "Keine Rolle";
    SendInvitation => "Send invitation", "Einladung senden";
    InvitationSent => "Invitation sent.", "Einladung gesendet.";
    OpenInvitations => "Waiting for an answer", "Offene Einladungen";
    ClosedInvitations => "Accepted or withdrawn", "Angenommen oder zurückgezogen";
    NoInvitations => "No invitations here.", "Hier gibt es keine Einladungen.";
    SentAt => "Sent", "Gesendet";
    ExpiresAt => "Expires", "Läuft ab";
    InvitedBy => "Invited by", "Eingeladen von";
    TimesSent => "sent {n}×", "{n}× gesendet";
    RemindedAt => "reminded {at}", "erinnert {at}";
    Withdraw => "Withdraw", "Zurückziehen";
    InvStateOpen => "waiting", "offen";
    InvStateExpired => "expired", "abgelaufen";
    InvStateAccepted => "accepted", "angenommen";
    InvStateRevoked => "withdrawn", "zurückgezogen";
    InvitationSettings => "Invitation settings", "Einstellungen für Einladungen";
    PhoneRegion => "Region of national phone numbers (ISO code, e.g. DE)", "Region nationaler Telefonnummern (ISO-Code, z. B. DE)";
    PhoneRequired => "Mobile phone required", "Mobiltelefon erforderlich";
    ValidDays => "Links work for (days)", "Links gelten (Tage)";
    ReminderDays => "Remind after (days, 0: never)", "Erinnern nach (Tagen, 0: nie)";
    ImportCsv => "Import CSV", "CSV importieren";
    ExportMembersCsv => "Export members (CSV)", "Mitglieder exportieren (CSV)";
    InvalidEmailText => "The email address is not valid.", "Die E-Mail-Adresse ist ungültig.";
    InvalidPhoneText => "The mobile phone number is not valid.", "Die Mobilfunknummer ist ungültig.";
    ProblemMissingEmail => "The email address is missing.", "Die E-Mail-Adresse fehlt.";
    ProblemBadEmail => "“{value}” is not an email address.", "„{value}“ ist keine E-Mail-Adresse.";
    ProblemMissingName => "The name is missing.", "Der Name fehlt.";
    ProblemBadPhone => "“{value}” is not a valid mobile phone number.", "„{value}“ ist keine gültige Mobilfunknummer.";
    ProblemPhoneRequired => "This organization requires a mobile phone number.", "Diese Organisation verlangt eine Mobilfunknummer.";
    ProblemBadLocale => "Language “{value}” is not offered (en, de).", "Die Sprache „{value}“ wird nicht angeboten (en, de).";
    ProblemBadKind => "“{value}” is not a kind of member (employee, partner, auditor, external).", "„{value}“ ist keine Art der Mitgliedschaft (employee, partner, auditor, external).";
    ProblemUnknownUnit => "There is no unit “{value}”.", "Es gibt keine Einheit „{value}“.";
    ProblemAmbiguousUnit => "Several units are called “{value}”: write its path, e.g. Sales / North.", "Mehrere Einheiten heißen „{value}“: Geben Sie den Pfad an, z. B. Vertrieb / Nord.";
    ProblemUnknownTag => "There is no tag “{value}”.", "Es gibt kein Schlagwort „{value}“.";
    ProblemUnknownRole => "There is no role “{value}”.", "Es gibt keine Rolle „{value}“.";
    ProblemDuplicate => "The same address is already on line {value}.", "Dieselbe Adresse steht bereits in Zeile {value}.";
    ProblemFormerMember => "This person was a member and left; their ended membership keeps its history.", "Diese Person war Mitglied und ist ausgeschieden; die beendete Mitgliedschaft behält ihre Geschichte.";
    ProblemAlreadyMember => "This person is already a member of the organization.", "Diese Person ist bereits Mitglied der Organisation.";
    ProblemAlreadyInvited => "This person is already invited. To send the link again, use “Send again” in the list of invitations.", "Diese Person ist bereits eingeladen. Um den Link erneut zu senden, nutzen Sie „Erneut senden“ in der Liste der Einladungen.";
    ProblemRevoked => "This invitation was withdrawn.", "Diese Einladung wurde zurückgezogen.";
    ProblemAddressHeld => "This address was just given up by another account, which may take it back for a few days. Try again later or use another address.", "Diese Adresse wurde gerade von einem anderen Konto aufgegeben, das sie einige Tage lang zurückholen kann. Versuchen Sie es später erneut oder verwenden Sie eine andere Adresse.";
    ProblemNotAllowed => "You may not invite people into this unit or give them this role.", "Sie dürfen keine Personen in diese Einheit einladen oder ihnen diese Rolle geben.";
    ImportTitle => "Import people from a CSV file", "Personen aus einer CSV-Datei importieren";
    ImportHelp => "Columns: email, name, mobile_phone, locale, kind, tags, units, roles (email and name required). Lists inside a cell are separated by “;”. Nothing is written before you start the import; uploading the same file again skips everyone already there.", "Spalten: email, name, mobile_phone, locale, kind, tags, units, roles (email und name erforderlich). Listen in einer Zelle werden mit „;“ getrennt. Vor dem Start des Imports wird nichts gespeichert; dieselbe Datei erneut hochzuladen überspringt alle, die schon da sind.";
    CsvFile => "CSV file", "CSV-Datei";
    UploadAndCheck => "Upload and check", "Hochladen und prüfen";
    ImportSummary => "{total} rows: {ready} ready to invite, {skip} already there, {invalid} with errors.", "{total} Zeilen: {ready} bereit zur Einladung, {skip} schon da, {invalid} mit Fehlern.";
    ImportStart => "Invite {n} people", "{n} Personen einladen";
    ImportDiscard => "Discard upload", "Upload verwerfen";
    ImportNothingReady => "No row is ready to invite.", "Keine Zeile ist bereit zur Einladung.";
    RowsWithErrors => "Rows with errors (not imported)", "Zeilen mit Fehlern (werden nicht importiert)";
    RowsSkipped => "Already there (skipped)", "Schon da (übersprungen)";
    CsvLine => "Line", "Zeile";
    CsvProblems => "Problems", "Probleme";
    ImportProgress => "Importing: {done} of {total} rows", "Import läuft: {done} von {total} Zeilen";
    ImportDone => "Import finished: {invited} invited, {skipped} skipped, {failed} not imported.", "Import abgeschlossen: {invited} eingeladen, {skipped} übersprungen, {failed} nicht importiert.";
    ImportDiscarded => "This upload was discarded; nothing was imported.", "Dieser Upload wurde verworfen; nichts wurde importiert.";
    ImportReport => "Rows not invited", "Nicht eingeladene Zeilen";
    InvitedOfRows => "{invited} of {total} rows invited", "{invited} von {total} Zeilen eingeladen";
    RecentImports => "Recent imports", "Letzte Importe";
    ImportStatePreview => "checked, not started", "geprüft, nicht gestartet";
    ImportStateRunning => "running", "läuft";
    ImportStateDone => "finished", "abgeschlossen";
    ImportStateDiscarded => "discarded", "verworfen";
    UploadedBy => "Uploaded by {name} on {at}", "Hochgeladen von {name} am {at}";
    FileLabel => "File", "Datei";
    BackToInvitations => "Back to invitations", "Zurück zu den Einladungen";
    FileNotCsv => "Choose a CSV file to upload.", "Wählen Sie eine CSV-Datei zum Hochladen.";
    ProblemMissingColumn => "The file has no column “{value}”.", "Der Datei fehlt die Spalte „{value}“.";
    ProblemUnknownColumn => "Unknown column “{value}”. The columns are: email, name, mobile_phone, locale, kind, tags, units, roles.", "Unbekannte Spalte „{value}“. Die Spalten sind: email, name, mobile_phone, locale, kind, tags, units, roles.";
    ProblemUnreadable => "The file cannot be read as CSV: {value}", "Die Datei lässt sich nicht als CSV lesen: {value}";
    ProblemTooManyRows => "The file has more than {value} rows; split it.", "Die Datei hat mehr als {value} Zeilen; bitte aufteilen.";
    ProblemNoRows => "The file has no rows.", "Die Datei enthält keine Zeilen.";
    ReqClosedApproved => "This request was already approved (someone decided first). Nothing was changed.", "Diese Anfrage wurde bereits genehmigt (jemand hat zuerst entschieden). Es wurde nichts geändert.";
    ReqClosedDenied => "This request was already denied (someone decided first). Nothing was changed.", "Diese Anfrage wurde bereits abgelehnt (jemand hat zuerst entschieden). Es wurde nichts geändert.";
    ReqClosedExpired => "This request expired before anyone decided it. Nothing was changed.", "Diese Anfrage ist abgelaufen, bevor jemand entschieden hat. Es wurde nichts geändert.";
    ReqClosedWithdrawn => "This request was withdrawn. Nothing was changed.", "Diese Anfrage wurde zurückgezogen. Es wurde nichts geändert.";
    ReqClosedRevoked => "What this request granted was already revoked. Nothing was changed.", "Was diese Anfrage gewährt hat, wurde bereits entzogen. Es wurde nichts geändert.";
    ReqNotGranted => "This request is still waiting: nothing was granted that could be revoked.", "Diese Anfrage wartet noch: Es wurde nichts gewährt, das entzogen werden könnte.";
    ReqGrantEnded => "What this request granted no longer works (it reached its end date, was removed, or the membership ended). Nothing was changed.", "Was diese Anfrage gewährt hat, gilt nicht mehr (Enddatum erreicht, entfernt oder Mitgliedschaft beendet). Es wurde nichts geändert.";
    ReqOwn => "You cannot decide your own request.", "Sie können nicht über Ihre eigene Anfrage entscheiden.";
    ReqNotApprover => "You may not decide requests at this scope.", "Sie dürfen über Anfragen in diesem Bereich nicht entscheiden.";
    ReqNotRequester => "Only the person who asked can withdraw a request.", "Nur wer gefragt hat, kann eine Anfrage zurückziehen.";
    ReqEndInPast => "The end date must be in the future.", "Das Enddatum muss in der Zukunft liegen.";
    ReqAlreadyHeld => "You already have this.", "Das haben Sie bereits.";
    ReqAlreadyAsked => "You already asked for this; your request is waiting for a decision.", "Danach haben Sie bereits gefragt; Ihre Anfrage wartet auf eine Entscheidung.";
    ReqChooseDecision => "Choose approve or deny.", "Wählen Sie Genehmigen oder Ablehnen.";
    ReqNotMember => "The person who asked is no longer an active member.", "Die anfragende Person ist kein aktives Mitglied mehr.";
    ReqNotRequestable => "This cannot be requested in this organization.", "Das kann in dieser Organisation nicht angefragt werden.";
    AccessRequests => "Access requests", "Zugriffsanfragen";
    ReqSettings => "Request settings", "Einstellungen für Anfragen";
    ReqReminderDays => "Remind approvers after (days, 0: never)", "Entscheidende erinnern nach (Tagen, 0: nie)";
    ReqExpiryDays => "Undecided requests expire after (days)", "Unentschiedene Anfragen laufen ab nach (Tagen)";
    ExpiringSoon => "Access ending within 14 days", "Zugriffe, die in 14 Tagen enden";
    RequestAccess => "Request access", "Zugriff anfragen";
    AccessRequest => "Access request", "Zugriffsanfrage";
    ReqToDecide => "Waiting for your decision", "Warten auf Ihre Entscheidung";
    ReqAsk => "Ask for access", "Zugriff anfragen";
    ReqAskHelp => "Ask for a role or a single permission (at a unit or organization-wide) or to join a unit. The people who may decide it are mailed; you are mailed their decision.", "Fragen Sie eine Rolle oder eine einzelne Berechtigung (in einer Einheit oder organisationsweit) oder die Aufnahme in eine Einheit an. Wer darüber entscheiden darf, bekommt eine E-Mail; Sie erhalten die Entscheidung per E-Mail.";
    ReqKind => "What you ask for", "Was Sie anfragen";
    ReqKindRole => "A role", "Eine Rolle";
    ReqKindUnit => "To join a unit", "Aufnahme in eine Einheit";
    ReqHistory => "Requests you may decide", "Anfragen, über die Sie entscheiden dürfen";
    ReqAllStatuses => "All statuses", "Alle Status";
    ReqAllUnits => "All units", "Alle Einheiten";
    ReqNoneFound => "No requests match.", "Keine passenden Anfragen.";
    ReqKindPermission => "A single permission", "Eine einzelne Berechtigung";
    ReqPermission => "Permission", "Berechtigung";
    ReqChoosePermission => "Choose the permission you ask for.", "Wählen Sie die Berechtigung, die Sie anfragen.";
    ReqRole => "Role", "Rolle";
    ReqUnit => "Unit", "Einheit";
    ReqWholeOrg => "Whole organization", "Ganze Organisation";
    ReqJustification => "Reason", "Begründung";
    ReqEndsOn => "Until", "Bis";
    ReqNoEnd => "no end date", "ohne Enddatum";
    ReqSend => "Send the request", "Anfrage senden";
    ReqMine => "Your requests", "Ihre Anfragen";
    ReqNone => "You have not asked for anything yet.", "Sie haben noch nichts angefragt.";
    ReqRequester => "Asked by", "Angefragt von";
    ReqWhat => "For", "Für";
    ReqAskedAt => "Asked", "Angefragt";
    ReqOpen => "Open", "Öffnen";
    ReqExpires => "Expires undecided", "Läuft unentschieden ab";
    ReqDecidedBy => "Decided by", "Entschieden von";
    ReqComment => "Comment", "Kommentar";
    ReqDecide => "Decide", "Entscheiden";
    ReqApprove => "Approve", "Genehmigen";
    ReqDeny => "Deny", "Ablehnen";
    ReqWithdraw => "Withdraw the request", "Anfrage zurückziehen";
    ReqBack => "Back to access requests", "Zurück zu den Zugriffsanfragen";
    ReqStatusPending => "waiting", "wartet";
    ReqStatusApproved => "approved", "genehmigt";
    ReqStatusDenied => "denied", "abgelehnt";
    ReqStatusExpired => "expired", "abgelaufen";
    ReqStatusWithdrawn => "withdrawn", "zurückgezogen";
    ReqStatusRevoked => "revoked", "entzogen";
    ReqRevoke => "Revoke access", "Zugriff entziehen";
    ReqRevokeHelp => "Takes back what this request granted, now, before its end. The person is told by mail.", "Nimmt zurück, was diese Anfrage gewährt hat – sofort, vor seinem Ende. Die Person wird per E-Mail informiert.";
    ReqRevokedBy => "Revoked by", "Entzogen von";
    ReqRevokedFromRequest => "on this request", "über diese Anfrage";
    ReqRevokedFromMemberPage => "removed on the member page", "auf der Mitgliederseite entfernt";
    ReqRevokedFromRoleRetired => "the role was retired", "die Rolle wurde stillgelegt";
    ReqRevokedFromMembershipEnded => "the membership ended", "die Mitgliedschaft endete";
    ReqRevokeReason => "Reason for revoking", "Grund für den Entzug";
    ReqChooseRole => "Choose the role you ask for.", "Wählen Sie die Rolle, die Sie anfragen.";
    ReqChooseUnit => "Choose the unit you want to join.", "Wählen Sie die Einheit, der Sie beitreten möchten.";
    Compliance => "Compliance", "Compliance";
    CompOpenCases => "Former members waiting for anonymization", "Ehemalige Mitglieder, die auf die Anonymisierung warten";
    CompNoOpen => "Nobody is waiting for anonymization.", "Niemand wartet auf die Anonymisierung.";
    CompAnonymizedCases => "Anonymized", "Anonymisiert";
    CompPerson => "Person", "Person";
    CompEnded => "Left", "Ausgetreten";
    CompRemindOn => "Reminder on", "Erinnerung am";
    CompAutoAt => "Anonymized automatically on", "Automatische Anonymisierung am";
    CompAnonymizedAt => "Anonymized", "Anonymisiert";
    CompAnonymizedBy => "By", "Von";
    CompCase => "Former member: {name}", "Ehemaliges Mitglied: {name}";
    CompLinked => "Everything linked to this person", "Alles, was mit dieser Person verknüpft ist";
    CompLinkedHelp => "Every row that names this membership. They all stay after anonymization and then name the pseudonym.", "Jede Zeile, die diese Mitgliedschaft nennt. Alle bleiben nach der Anonymisierung erhalten und nennen dann das Pseudonym.";
    CompShown => "the newest {shown} of {count}", "die neuesten {shown} von {count}";
    CompNothing => "nothing", "nichts";
    CompAnonymize => "Anonymize", "Anonymisieren";
    CompAnonymizeNow => "Anonymize now", "Jetzt anonymisieren";
    CompAnonymizeHelp => "Name, email address, mobile phone and job title are replaced by the pseudonym everywhere in this organization — in the audit log and in stored mail as well; tags are removed and sessions in this organization end. Without another membership, the account itself is anonymized too. This cannot be undone.", "Name, E-Mail-Adresse, Mobilnummer und Tätigkeit werden überall in dieser Organisation durch das Pseudonym ersetzt – auch im Audit-Protokoll und in gespeicherten E-Mails; Tags werden entfernt und Sitzungen in dieser Organisation beendet. Ohne weitere Mitgliedschaft wird auch das Konto selbst anonymisiert. Das kann nicht rückgängig gemacht werden.";
    CompPseudonymIs => "Pseudonym", "Pseudonym";
    CompConfirm => "Type the pseudonym to confirm", "Geben Sie zur Bestätigung das Pseudonym ein";
    CompMayNotAnonymize => "Only a compliance manager (or an owner) anonymizes.", "Anonymisieren dürfen nur Compliance-Verantwortliche (oder Eigentümer).";
    CompRemind => "Remind me on a date", "An einem Datum erinnern";
    CompRemindHelp => "On that day the email about this person comes again.", "An diesem Tag kommt die E-Mail zu dieser Person erneut.";
    CompSetReminder => "Set reminder", "Erinnerung setzen";
    CompDay => "Day", "Tag";
    CompSettings => "Automatic anonymization", "Automatische Anonymisierung";
    CompAutoDays => "Anonymize automatically after (days; empty: off)", "Automatisch anonymisieren nach (Tagen; leer: aus)";
    CompAutoOff => "Off: former members are anonymized by a compliance manager only.", "Aus: Ehemalige werden nur von Compliance-Verantwortlichen anonymisiert.";
    CompAutoOn => "On: {days} days after leaving.", "An: {days} Tage nach dem Austritt.";
    CompBack => "Back to compliance", "Zurück zu Compliance";
    CompOwn => "Nobody ends or anonymizes their own membership.", "Niemand beendet oder anonymisiert die eigene Mitgliedschaft.";
    CompLastOwner => "The owner cannot leave or be anonymized: transfer the ownership first.", "Der Eigentümer kann nicht austreten oder anonymisiert werden: Übertragen Sie zuerst das Eigentum.";
    CompStaff => "Platform staff are not anonymized through an organization.", "Plattform-Mitarbeitende werden nicht über eine Organisation anonymisiert.";
    CompNotActive => "This membership is not active.", "Diese Mitgliedschaft ist nicht aktiv.";
    CompNotEnded => "Only a former member can be anonymized: end the membership first.", "Nur ehemalige Mitglieder können anonymisiert werden: Beenden Sie zuerst die Mitgliedschaft.";
    CompAlready => "Already anonymized.", "Bereits anonymisiert.";
    CompMismatch => "That is not the pseudonym {pseudonym}. Nothing was changed.", "Das ist nicht das Pseudonym {pseudonym}. Es wurde nichts geändert.";
    CompReminderPast => "Choose a day after today.", "Wählen Sie einen Tag nach heute.";
    CompEndPast => "The end date must not lie in the past.", "Das Enddatum darf nicht in der Vergangenheit liegen.";
    CompBadDays => "Enter a number of days from 1 to 3650, or leave it empty to turn it off.", "Geben Sie 1 bis 3650 Tage ein oder lassen Sie das Feld leer, um es auszuschalten.";
    CompBadDate => "Enter a date.", "Geben Sie ein Datum ein.";
    AuditMembershipEnded => "ended a membership", "hat eine Mitgliedschaft beendet";
    AuditMembershipEndDate => "set a last day of membership", "hat einen letzten Tag der Mitgliedschaft gesetzt";
    AuditMembershipAnonymized => "anonymized a former member", "hat ein ehemaliges Mitglied anonymisiert";
    AuditComplianceReminderSet => "set a compliance reminder", "hat eine Compliance-Erinnerung gesetzt";
    AuditComplianceReminded => "sent a compliance reminder", "hat eine Compliance-Erinnerung versandt";
    AuditAutoAnonymize => "changed the automatic anonymization", "hat die automatische Anonymisierung geändert";
    CompAutomatic => "Gatehouse (automatic, organization setting)", "Gatehouse (automatisch, Organisationseinstellung)";
    CompOperator => "Gatehouse operator", "Gatehouse-Betrieb";
    LeaveTitle => "End of membership", "Ende der Mitgliedschaft";
    LeaveHelp => "Ending the membership ends the person's roles and organization roles at once and mails the compliance managers, who decide about anonymization.", "Das Beenden der Mitgliedschaft beendet sofort die Rollen und Organisationsrollen der Person und benachrichtigt die Compliance-Verantwortlichen, die über die Anonymisierung entscheiden.";
    LeaveNow => "End membership now", "Mitgliedschaft jetzt beenden";
    LeaveOn => "Last day", "Letzter Tag";
    LeaveSetDate => "Set last day", "Letzten Tag setzen";
    LeaveClearDate => "Remove the end date", "Enddatum entfernen";
    LeaveScheduled => "The membership ends after {date}.", "Die Mitgliedschaft endet nach dem {date}.";
    LeaveEnded => "This membership has ended.", "Diese Mitgliedschaft ist beendet.";
    LeaveOpenCase => "Open the compliance case", "Compliance-Fall öffnen";
    LinkItemsCreated => "Items created", "Erstellte Einträge";
    LinkItemsOwned => "Items owned", "Verantwortete Einträge";
    LinkItemsAssigned => "Items assigned", "Zugewiesene Einträge";
    LinkRoleAssignments => "Role assignments", "Rollenzuweisungen";
    LinkAdjustments => "Personal permission changes", "Persönliche Berechtigungsänderungen";
    LinkRequestsMade => "Access requests made", "Gestellte Zugriffsanfragen";
    LinkRequestsDecided => "Access requests decided", "Entschiedene Zugriffsanfragen";
    LinkInvitationsSent => "Invitations sent", "Versandte Einladungen";
    LinkMails => "Mail sent to them", "E-Mails an die Person";
    LinkAuditEvents => "Audit events naming them", "Audit-Ereignisse zur Person";
    ReqBadDate => "The end date is not a date.", "Das Enddatum ist kein Datum.";
    JoinOrg => "Join {org}", "{org} beitreten";
    InvitationIntro => "{inviter} invited {email} to join {org}.", "{inviter} hat {email} eingeladen, {org} beizutreten.";
    InvitationIntroNoInviter => "{email} is invited to join {org}.", "{email} ist eingeladen, {org} beizutreten.";
    ChoosePasswordToJoin => "Choose the password of your new Gatehouse account.", "Legen Sie das Passwort Ihres neuen Gatehouse-Kontos fest.";
    SignInToAccept => "You already have a Gatehouse account with {email}. Accept by signing in with it.", "Sie haben mit {email} bereits ein Gatehouse-Konto. Nehmen Sie an, indem Sie sich damit anmelden.";
    SignInToAcceptButton => "Sign in to accept", "Anmelden und annehmen";
    AcceptAndJoin => "Accept and join", "Annehmen und beitreten";
    SignedInAsOther => "You are signed in as {email}, but this invitation is for {invited}. Sign out, then open the link again.", "Sie sind als {email} angemeldet, diese Einladung gilt aber für {invited}. Melden Sie sich ab und öffnen Sie den Link erneut.";
    InvitationInvalid => "This invitation link no longer works: it was used, withdrawn, replaced by a newer one or it expired. Ask the person who invited you to send it again.", "Dieser Einladungslink funktioniert nicht mehr: Er wurde benutzt, zurückgezogen, durch einen neueren ersetzt oder ist abgelaufen. Bitten Sie die einladende Person, ihn erneut zu senden.";
    LinkExpiresAt => "The link works until {at}.", "Der Link gilt bis {at}.";
}

pub fn t(locale: Locale, msg: Msg) -> &'static str {
    msg.text(locale)
}

/// A message with `{name}` placeholders filled in.
pub fn tf(locale: Locale, msg: Msg, args: &[(&str, &str)]) -> String {
    let mut s = msg.text(locale).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

pub fn status_label(locale: Locale, status: &str) -> String {
    let m = match status {
        "invited" => Msg::StatusInvited,
        "active" => Msg::StatusActive,
        "terminated" => Msg::StatusTerminated,
        "anonymized" => Msg::StatusAnonymized,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

pub fn kind_label(locale: Locale, kind: &str) -> String {
    let m = match kind {
        "employee" => Msg::KindEmployee,
        "partner" => Msg::KindPartner,
        "auditor" => Msg::KindAuditor,
        "external" => Msg::KindExternal,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

pub fn org_role_label(locale: Locale, role: &str) -> String {
    let m = match role {
        "owner" => Msg::OrgRoleOwner,
        "co_owner" => Msg::OrgRoleCoOwner,
        "main_owner" => Msg::OrgRoleMainOwner,
        "payment_user" => Msg::OrgRolePaymentUser,
        "authorized_buyer" => Msg::OrgRoleAuthorizedBuyer,
        "compliance_manager" => Msg::OrgRoleComplianceManager,
        "administrator" => Msg::OrgRoleAdministrator,
        "main_administrator" => Msg::OrgRoleMainAdministrator,
        "support_team" => Msg::OrgRoleSupportTeam,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

pub fn audit_action_label(locale: Locale, action: &str) -> String {
    let m = match action {
        "organization.created" => Msg::AuditOrganizationCreated,
        "unit.created" => Msg::AuditUnitCreated,
        "member.added" => Msg::AuditMemberAdded,
        "org_role.granted" => Msg::AuditOrgRoleGranted,
        "role.created" => Msg::AuditRoleCreated,
        "role.assigned" => Msg::AuditRoleAssigned,
        "tag.created" => Msg::AuditTagCreated,
        "member.invited" => Msg::AuditMemberInvited,
        "invitation.accepted" => Msg::AuditInvitationAccepted,
        "invitation.resent" => Msg::AuditInvitationResent,
        "invitation.revoked" => Msg::AuditInvitationRevoked,
        "invitation.reminded" => Msg::AuditInvitationReminded,
        "invitation.expired" => Msg::AuditInvitationExpired,
        "membership.ended" => Msg::AuditMembershipEnded,
        "membership.end_date" => Msg::AuditMembershipEndDate,
        "membership.anonymized" => Msg::AuditMembershipAnonymized,
        "compliance.reminder_set" => Msg::AuditComplianceReminderSet,
        "compliance.reminded" => Msg::AuditComplianceReminded,
        "organization.auto_anonymize" => Msg::AuditAutoAnonymize,
        "access_request.created" => Msg::AuditRequestCreated,
        "access_request.approved" => Msg::AuditRequestApproved,
        "access_request.denied" => Msg::AuditRequestDenied,
        "access_request.expired" => Msg::AuditRequestExpired,
        "access_request.reminded" => Msg::AuditRequestReminded,
        "access_request.revoked" => Msg::AuditRequestRevoked,
        "access_request.withdrawn" => Msg::AuditRequestWithdrawn,
        "content_module.declared" => Msg::AuditModuleDeclared,
        "email.change_requested" => Msg::AuditEmailChangeRequested,
        "email.changed" => Msg::AuditEmailChanged,
        "email.change_cancelled" => Msg::AuditEmailChangeCancelled,
        "email.change_reverted" => Msg::AuditEmailChangeReverted,
        "item.created" => Msg::AuditItemCreated,
        "item.edited" => Msg::AuditItemEdited,
        "item.deleted" => Msg::AuditItemDeleted,
        "item.invited" => Msg::AuditItemInvited,
        "link_key.rotated" => Msg::AuditLinkKeyRotated,
        "mail.retried" => Msg::AuditMailRetried,
        "mail.test_queued" => Msg::AuditMailTestQueued,
        "member_import.uploaded" => Msg::AuditImportUploaded,
        "member_import.started" => Msg::AuditImportStarted,
        "member_import.finished" => Msg::AuditImportFinished,
        "member_import.discarded" => Msg::AuditImportDiscarded,
        "org_role.removed" => Msg::AuditOrgRoleRemoved,
        "organization.invitation_settings" => Msg::AuditInvitationSettings,
        "organization.request_settings" => Msg::AuditRequestSettings,
        "password.reset_requested" => Msg::AuditPasswordResetRequested,
        "password.reset" => Msg::AuditPasswordReset,
        "permission.adjusted" => Msg::AuditPermissionAdjusted,
        "permission.adjustment_removed" => Msg::AuditAdjustmentRemoved,
        "role.assignment_ended" => Msg::AuditAssignmentEnded,
        "role.edited" => Msg::AuditRoleEdited,
        "role.grants_set" => Msg::AuditRoleGrantsSet,
        "role.retired" => Msg::AuditRoleRetired,
        "role.unassigned" => Msg::AuditRoleUnassigned,
        "template.applied" => Msg::AuditTemplateApplied,
        "user.signed_in" => Msg::AuditUserSignedIn,
        "sign_in_link.requested" => Msg::AuditSignInLinkRequested,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// Something wrong with a person being added, in the reader's words.
pub fn problem(locale: Locale, p: &gatehouse_domain::people::Problem) -> String {
    use gatehouse_domain::people::Problem as P;
    let (m, v): (Msg, String) = match p {
        P::MissingEmail => (Msg::ProblemMissingEmail, String::new()),
        P::BadEmail(v) => (Msg::ProblemBadEmail, v.clone()),
        P::MissingName => (Msg::ProblemMissingName, String::new()),
        P::BadPhone(v) => (Msg::ProblemBadPhone, v.clone()),
        P::PhoneRequired => (Msg::ProblemPhoneRequired, String::new()),
        P::BadLocale(v) => (Msg::ProblemBadLocale, v.clone()),
        P::BadKind(v) => (Msg::ProblemBadKind, v.clone()),
        P::UnknownUnit(v) => (Msg::ProblemUnknownUnit, v.clone()),
        P::AmbiguousUnit(v) => (Msg::ProblemAmbiguousUnit, v.clone()),
        P::UnknownTag(v) => (Msg::ProblemUnknownTag, v.clone()),
        P::UnknownRole(v) => (Msg::ProblemUnknownRole, v.clone()),
        P::Duplicate { line } => (Msg::ProblemDuplicate, line.to_string()),
        P::FormerMember => (Msg::ProblemFormerMember, String::new()),
        P::AlreadyMember => (Msg::ProblemAlreadyMember, String::new()),
        P::AlreadyInvited => (Msg::ProblemAlreadyInvited, String::new()),
        P::Revoked => (Msg::ProblemRevoked, String::new()),
        P::NotAllowed => (Msg::ProblemNotAllowed, String::new()),
        P::AddressHeld => (Msg::ProblemAddressHeld, String::new()),
        P::MissingColumn(v) => (Msg::ProblemMissingColumn, v.clone()),
        P::UnknownColumn(v) => (Msg::ProblemUnknownColumn, v.clone()),
        P::Unreadable(v) => (Msg::ProblemUnreadable, v.clone()),
        P::TooManyRows(n) => (Msg::ProblemTooManyRows, n.to_string()),
        P::NoRows => (Msg::ProblemNoRows, String::new()),
    };
    tf(locale, m, &[("value", &v)])
}

/// Why ending a membership, anonymizing or a reminder is refused, in the reader's words.
pub fn compliance_refusal(locale: Locale, r: &gatehouse_domain::compliance::Refusal) -> String {
    use gatehouse_domain::compliance::Refusal as R;
    match r {
        R::OwnMembership => t(locale, Msg::CompOwn).to_string(),
        R::LastOwner => t(locale, Msg::CompLastOwner).to_string(),
        R::PlatformStaff => t(locale, Msg::CompStaff).to_string(),
        R::NotActive => t(locale, Msg::CompNotActive).to_string(),
        R::NotEnded => t(locale, Msg::CompNotEnded).to_string(),
        R::AlreadyAnonymized => t(locale, Msg::CompAlready).to_string(),
        R::PseudonymMismatch(p) => tf(locale, Msg::CompMismatch, &[("pseudonym", p)]),
        R::ReminderNotInFuture => t(locale, Msg::CompReminderPast).to_string(),
        R::EndInPast => t(locale, Msg::CompEndPast).to_string(),
        R::BadAutoDays => t(locale, Msg::CompBadDays).to_string(),
    }
}

/// A kind of row linked to a person (compliance), in the reader's words.
pub fn linked_kind(locale: Locale, kind: &str) -> &'static str {
    t(
        locale,
        match kind {
            "items_created" => Msg::LinkItemsCreated,
            "items_owned" => Msg::LinkItemsOwned,
            "items_assigned" => Msg::LinkItemsAssigned,
            "role_assignments" => Msg::LinkRoleAssignments,
            "adjustments" => Msg::LinkAdjustments,
            "requests_made" => Msg::LinkRequestsMade,
            "requests_decided" => Msg::LinkRequestsDecided,
            "invitations_sent" => Msg::LinkInvitationsSent,
            "mails" => Msg::LinkMails,
            _ => Msg::LinkAuditEvents,
        },
    )
}

/// Why an access request cannot be made or moved, in the reader's words.
pub fn request_refusal(locale: Locale, r: gatehouse_domain::requests::Refusal) -> String {
    use gatehouse_domain::requests::{Refusal as R, Status};
    let m = match r {
        R::AlreadyClosed(Status::Approved) => Msg::ReqClosedApproved,
        R::AlreadyClosed(Status::Denied) => Msg::ReqClosedDenied,
        R::AlreadyClosed(Status::Expired) => Msg::ReqClosedExpired,
        R::AlreadyClosed(Status::Revoked) => Msg::ReqClosedRevoked,
        R::AlreadyClosed(_) => Msg::ReqClosedWithdrawn,
        R::OwnRequest => Msg::ReqOwn,
        R::NotApprover => Msg::ReqNotApprover,
        R::NotRequester => Msg::ReqNotRequester,
        R::EndInPast => Msg::ReqEndInPast,
        R::AlreadyHeld => Msg::ReqAlreadyHeld,
        R::AlreadyAsked => Msg::ReqAlreadyAsked,
        R::NotRequestable => Msg::ReqNotRequestable,
        R::NotMember => Msg::ReqNotMember,
        R::NotGranted => Msg::ReqNotGranted,
        R::GrantEnded => Msg::ReqGrantEnded,
    };
    t(locale, m).to_string()
}

/// A domain validation error in the reader's words.
pub fn invalid_input(locale: Locale, e: &gatehouse_domain::DomainError) -> String {
    use gatehouse_domain::DomainError as E;
    match e {
        E::InvalidValue { field, value } => {
            let f = match *field {
                "name" => t(locale, Msg::FieldName),
                "key" => t(locale, Msg::FieldKey),
                "role" => t(locale, Msg::FieldRole),
                "unit" => t(locale, Msg::FieldUnit),
                "ends_on" | "ends_at" => t(locale, Msg::FieldEndDate),
                "email" => t(locale, Msg::FieldEmail),
                "title" => t(locale, Msg::FieldTitle),
                "actions" => t(locale, Msg::ModuleActions),
                "module" => t(locale, Msg::FieldKey),
                "phone_region" => t(locale, Msg::PhoneRegion),
                "valid_days" => t(locale, Msg::ValidDays),
                "reminder_days" => t(locale, Msg::ReminderDays),
                "expiry_days" => t(locale, Msg::ReqExpiryDays),
                other => other,
            };
            if value.trim().is_empty() {
                tf(locale, Msg::MissingValueOf, &[("field", f)])
            } else {
                tf(locale, Msg::InvalidValueOf, &[("value", value), ("field", f)])
            }
        }
        E::InvalidEmail => t(locale, Msg::InvalidEmailText).to_string(),
        E::InvalidPhone => t(locale, Msg::InvalidPhoneText).to_string(),
        other => tf(locale, Msg::InvalidInputOther, &[("detail", &other.to_string())]),
    }
}

/// The name of one of Gatehouse's own admin areas (the first part of an admin permission).
pub fn area_label(locale: Locale, area: &str) -> String {
    let m = match area {
        "members" => Msg::AreaMembers,
        "units" => Msg::AreaUnits,
        "roles" => Msg::AreaRoles,
        "access_requests" => Msg::AreaAccessRequests,
        "compliance" => Msg::AreaCompliance,
        "reviews" => Msg::AreaReviews,
        "audit" => Msg::AreaAudit,
        "settings" => Msg::AreaSettings,
        "licenses" => Msg::AreaLicenses,
        "api_keys" => Msg::AreaApiKeys,
        "support" => Msg::AreaSupport,
        "mail" => Msg::Mail,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// A grant's scope (and, for permissions about people, its visibility) in words.
pub fn grant_words(locale: Locale, scope: &str, visibility: &str, about_people: bool) -> String {
    let s = match scope {
        "own" => t(locale, Msg::GrantOwn),
        "unit" => t(locale, Msg::GrantUnit),
        _ => t(locale, Msg::GrantOrganization),
    };
    if !about_people {
        return s.to_string();
    }
    let v = if visibility == "aggregate" { t(locale, Msg::VisAggregate) } else { t(locale, Msg::VisIndividual) };
    format!("{s} · {v}")
}

pub fn actor_label(locale: Locale, kind: &str, name: Option<&str>) -> String {
    match (kind, name) {
        (_, Some(n)) => n.to_string(),
        ("background", _) => t(locale, Msg::ActorBackground).to_string(),
        ("api_key", _) => t(locale, Msg::ActorApiKey).to_string(),
        ("staff", _) => t(locale, Msg::ActorStaff).to_string(),
        _ => t(locale, Msg::ActorSystem).to_string(),
    }
}

/// A UTC instant shown as a short date and time (UTC) in the locale's style.
pub fn datetime(locale: Locale, at: chrono::DateTime<chrono::Utc>) -> String {
    match locale {
        Locale::En => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Locale::De => at.format("%d.%m.%Y %H:%M UTC").to_string(),
    }
}

pub fn date(locale: Locale, d: chrono::NaiveDate) -> String {
    match locale {
        Locale::En => d.format("%Y-%m-%d").to_string(),
        Locale::De => d.format("%d.%m.%Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_placeholders_match() {
        for m in Msg::ALL {
            let (en, de) = (m.text(Locale::En), m.text(Locale::De));
            assert!(!en.is_empty() && !de.is_empty(), "{m:?}");
            let ph = |s: &str| {
                let mut v: Vec<String> = s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|x| x.0.to_string())).collect();
                v.sort();
                v
            };
            assert_eq!(ph(en), ph(de), "placeholders of {m:?}");
        }
        assert_eq!(tf(Locale::De, Msg::PageOf, &[("page", "2"), ("pages", "9")]), "Seite 2 von 9");
        assert_eq!(status_label(Locale::De, "invited"), "Eingeladen");
    }

    /// Every audit action the code writes (`AuditEntry::new(…, "x.y", …)` in the db and server
    /// crates) is said in words, in both languages — a new action without words fails here.
    #[test]
    fn every_audit_action_has_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut actions = std::collections::BTreeSet::new();
        let mut dirs = vec![root.join("db/src"), root.join("server/src")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("AuditEntry::new(") {
                    let call: String = text[at..].chars().take(220).collect();
                    for lit in call.split('"').skip(1).step_by(2) {
                        let parts: Vec<&str> = lit.split('.').collect();
                        if parts.len() == 2 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
                            actions.insert(lit.to_string());
                        }
                    }
                }
            }
        }
        assert!(actions.len() > 40, "found the audit actions: {actions:?}");
        for a in &actions {
            for l in [Locale::En, Locale::De] {
                assert_ne!(&audit_action_label(l, a), a, "{a} has no words in {l:?}");
            }
        }
    }
}
