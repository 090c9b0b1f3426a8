//! Sign-up by portal type, on both backends: public (a verification link activates the account,
//! links or creates its record, notifies the chosen CRM users and signs in), private (no
//! sign-up), restricted (pending, notice, approve or reject, the applicant told, auto-approval
//! of Contacts addresses); the same answer for an address that already has an account; the
//! domain, seat and input rules; administrators only, and only in their own org.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use portico_app::mail::MailPage;
use portico_app::records::RecordExtras;
use portico_app::signups::{
    SignUpForm, SignUpOutcome, approve, list_signups, reject, sign_up, verify_email,
};
use portico_app::users::NewUserInput;
use portico_app::{AppError, Context, portal_accounts};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::outbox::MailKind;
use portico_domain::portal::Portal;
use portico_domain::portal_user::PortalUserStatus;
use portico_store::MailSummary;
use serde_json::{Value, json};

on_both!(
    a_public_sign_up_is_verified_by_its_link_and_signed_in,
    a_public_sign_up_links_an_existing_contact,
    a_private_portal_takes_no_sign_up,
    an_address_with_an_account_gets_the_same_answer,
    a_restricted_sign_up_waits_for_an_administrator,
    a_rejected_applicant_is_told_and_cannot_sign_in,
    a_contacts_address_is_approved_at_once,
    the_domain_seat_and_input_rules_refuse_a_sign_up,
    one_address_cannot_be_flooded,
    only_administrators_of_the_org_decide,
);

const PASSWORD: &str = "correct horse battery";

struct Fx {
    admin: CrmActor,
    /// A CRM user who is not an administrator: told about sign-ups, and the default owner.
    nora: CrmActor,
    portal: Portal,
}

/// An org (zylker.com) with a portal of `portal_type` whose sign-ups notify Nora, with `extra`
/// settings on top.
async fn fixture(ctx: &Context, portal_type: &str, extra: Value) -> Fx {
    let admin = common::org(ctx, "Zylker", "zylker.com").await;
    let nora = portico_app::users::create_user(
        ctx,
        &admin,
        NewUserInput {
            email: "nora@zylker.com".into(),
            name: "Nora".into(),
            password: "nora-user-password".into(),
            profile_id: admin.user.profile_id,
            super_admin: false,
        },
    )
    .await
    .unwrap();
    let nora = portico_app::sign_in::actor(ctx, admin.user.org_id, nora.id)
        .await
        .unwrap();
    let (portal, _) = portico_app::portals::create_portal(ctx, &admin, Some("Help".into()))
        .await
        .unwrap();
    let mut patch = common::object(json!({
        "portal_type": portal_type,
        "signup_notify_user_ids": if portal_type == "private" { json!([]) } else { json!([nora.user.id]) },
    }));
    patch.extend(common::object(extra));
    let portal = portico_app::portals::update_portal(ctx, &admin, portal.id, patch)
        .await
        .unwrap();
    Fx {
        admin,
        nora,
        portal,
    }
}

fn form(name: &str, email: &str, password: &str) -> SignUpForm {
    SignUpForm {
        name: name.into(),
        email: email.into(),
        password: password.into(),
        confirm: password.into(),
    }
}

/// Signs up to the fixture's portal; answers the outcome.
async fn join(ctx: &Context, fx: &Fx, name: &str, email: &str, password: &str) -> SignUpOutcome {
    sign_up(ctx, &fx.portal, form(name, email, password))
        .await
        .unwrap()
}

/// The fixture portal's sign-ups waiting for a decision, newest first.
async fn pending(ctx: &Context, fx: &Fx) -> Vec<portico_domain::portal_user::PortalUser> {
    list_signups(ctx, &fx.admin, fx.portal.id, None, None)
        .await
        .unwrap()
        .items
}

async fn mails(ctx: &Context, fx: &Fx) -> Vec<MailSummary> {
    let page = MailPage {
        limit: Some(200),
        ..MailPage::default()
    };
    portico_app::mail::list_mail(ctx, &fx.admin, page)
        .await
        .unwrap()
        .items
}

async fn mails_of(ctx: &Context, fx: &Fx, kind: MailKind, to: &str) -> Vec<MailSummary> {
    mails(ctx, fx)
        .await
        .into_iter()
        .filter(|m| m.kind == kind && m.recipient == to)
        .collect()
}

/// The token of the newest verification email to `to`.
async fn verification_token(ctx: &Context, fx: &Fx, to: &str) -> String {
    let newest = mails_of(ctx, fx, MailKind::Verification, to)
        .await
        .into_iter()
        .next()
        .expect("a verification email");
    let mail = portico_app::mail::get_mail(ctx, &fx.admin, newest.id)
        .await
        .unwrap();
    let at = mail.text.find("/verify/").expect("a verification link") + "/verify/".len();
    assert!(mail.html.contains(&mail.text[at - 8..at + 64]));
    mail.text[at..at + 64].to_string()
}

async fn signs_in(ctx: &Context, fx: &Fx, email: &str, password: &str) -> bool {
    match portal_accounts::sign_in(ctx, &fx.portal, email, password, (None, None)).await {
        Ok(_) => true,
        Err(AppError::Invalid(_)) => false,
        Err(e) => panic!("unexpected {e:?}"),
    }
}

fn email_code(e: AppError) -> &'static str {
    let errors = e.field_errors();
    assert!(!errors.is_empty(), "expected field errors, got {e:?}");
    errors[0].code
}

async fn audit_actions(ctx: &Context, fx: &Fx) -> Vec<String> {
    portico_app::audit::audit_log(ctx, &fx.admin, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect()
}

async fn contact_count(ctx: &Context, fx: &Fx) -> i64 {
    let module = portico_app::modules::module(
        ctx,
        &fx.admin,
        "Contacts",
        portico_domain::profile::Action::View,
    )
    .await
    .unwrap();
    portico_app::records::count_visible(ctx, &fx.admin, &module)
        .await
        .unwrap()
}

async fn a_public_sign_up_is_verified_by_its_link_and_signed_in(ctx: Context) {
    let fx = fixture(&ctx, "public", json!({})).await;
    // The default owner, set after the notify list so the fixture is shared.
    let patch = common::object(json!({"default_owner_id": fx.nora.user.id}));
    let fx = Fx {
        portal: portico_app::portals::update_portal(&ctx, &fx.admin, fx.portal.id, patch)
            .await
            .unwrap(),
        ..fx
    };
    let contacts_before = contact_count(&ctx, &fx).await;
    let outcome = join(&ctx, &fx, "Ann Mary Lee", "ann@customer.com", PASSWORD).await;
    assert_eq!(outcome, SignUpOutcome::CheckYourEmail);
    assert!(
        !signs_in(&ctx, &fx, "ann@customer.com", PASSWORD).await,
        "an unverified account cannot sign in"
    );
    assert!(
        mails_of(&ctx, &fx, MailKind::SignupNotice, "nora@zylker.com")
            .await
            .is_empty(),
        "nobody is told before the address is verified"
    );
    let token = verification_token(&ctx, &fx, "ann@customer.com").await;
    let (session, user) = verify_email(&ctx, &fx.portal, &token, None)
        .await
        .unwrap()
        .session()
        .unwrap();
    assert_eq!(user.status, PortalUserStatus::Active);
    assert_eq!(user.invited_by, None);
    let resumed = portal_accounts::resume(&ctx, &fx.portal, &session)
        .await
        .unwrap()
        .expect("signed in");
    assert_eq!(resumed.user.id, user.id);
    // The personality record: created, named, addressed, owned by the default owner.
    let record_id = user.record_id.expect("a personality record");
    let (_, record) = portico_app::records::get_record(&ctx, &fx.admin, "Contacts", record_id)
        .await
        .unwrap();
    assert_eq!(
        record.owner_id, fx.nora.user.id,
        "the default owner owns it"
    );
    assert_eq!(record.data["First_Name"], json!("Ann Mary"));
    assert_eq!(record.data["Last_Name"], json!("Lee"));
    assert_eq!(record.data["Email"], json!("ann@customer.com"));
    assert_eq!(contact_count(&ctx, &fx).await, contacts_before + 1);
    assert_eq!(
        portico_app::signups::records_owner(&ctx, &fx.portal, &user)
            .await
            .unwrap(),
        fx.nora.user.id,
        "what the sign-up creates is owned by the default owner"
    );
    let notices = mails_of(&ctx, &fx, MailKind::SignupNotice, "nora@zylker.com").await;
    assert_eq!(notices.len(), 1);
    assert!(notices[0].subject.contains("Ann Mary Lee signed up"));
    assert!(signs_in(&ctx, &fx, "ann@customer.com", PASSWORD).await);
    // The link works once.
    assert!(matches!(
        verify_email(&ctx, &fx.portal, &token, None).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        verify_email(&ctx, &fx.portal, "not-a-token", None).await,
        Err(AppError::NotFound)
    ));
    let actions = audit_actions(&ctx, &fx).await;
    for action in ["portal.signup", "portal.verify"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn a_public_sign_up_links_an_existing_contact(ctx: Context) {
    let fx = fixture(&ctx, "public", json!({})).await;
    let contact = portico_app::records::create_record(
        &ctx,
        &fx.admin,
        "Contacts",
        &common::object(json!({"Last_Name": "Known", "Email": "Ann@Customer.com"})),
        RecordExtras::default(),
    )
    .await
    .unwrap();
    let before = contact_count(&ctx, &fx).await;
    join(&ctx, &fx, "Ann", "ann@customer.com", PASSWORD).await;
    let token = verification_token(&ctx, &fx, "ann@customer.com").await;
    let (_, user) = verify_email(&ctx, &fx.portal, &token, None)
        .await
        .unwrap()
        .session()
        .unwrap();
    assert_eq!(
        user.record_id,
        Some(contact.id),
        "the existing contact is linked"
    );
    assert_eq!(
        contact_count(&ctx, &fx).await,
        before,
        "no record was created"
    );
}

async fn a_private_portal_takes_no_sign_up(ctx: Context) {
    let fx = fixture(&ctx, "private", json!({})).await;
    let r = sign_up(&ctx, &fx.portal, form("Ann", "ann@customer.com", PASSWORD)).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    assert!(mails(&ctx, &fx).await.is_empty());
}

async fn an_address_with_an_account_gets_the_same_answer(ctx: Context) {
    let fx = fixture(&ctx, "public", json!({})).await;
    let ann = || form("Ann", "ann@customer.com", PASSWORD);
    // Unverified: the repeat gets a fresh link, and the old one dies.
    sign_up(&ctx, &fx.portal, ann()).await.unwrap();
    let first = verification_token(&ctx, &fx, "ann@customer.com").await;
    assert_eq!(
        sign_up(&ctx, &fx.portal, ann()).await.unwrap(),
        SignUpOutcome::CheckYourEmail
    );
    let second = verification_token(&ctx, &fx, "ann@customer.com").await;
    assert_ne!(first, second);
    assert!(matches!(
        verify_email(&ctx, &fx.portal, &first, None).await,
        Err(AppError::NotFound)
    ));
    verify_email(&ctx, &fx.portal, &second, None).await.unwrap();
    // Active: the same answer as a new address, nothing sent, nothing changed.
    let sent = mails(&ctx, &fx).await.len();
    let again = join(
        &ctx,
        &fx,
        "Mallory",
        "ANN@customer.com",
        "another long password",
    )
    .await;
    let fresh = join(&ctx, &fx, "Bob", "bob@customer.com", PASSWORD).await;
    assert_eq!(again, fresh);
    assert_eq!(
        mails(&ctx, &fx).await.len(),
        sent + 1,
        "only the new address got an email"
    );
    assert!(signs_in(&ctx, &fx, "ann@customer.com", PASSWORD).await);
    assert!(!signs_in(&ctx, &fx, "ann@customer.com", "another long password").await);
}

async fn a_restricted_sign_up_waits_for_an_administrator(ctx: Context) {
    let fx = fixture(&ctx, "restricted", json!({"notify_applicant": true})).await;
    let outcome = join(&ctx, &fx, "Ann Lee", "ann@customer.com", PASSWORD).await;
    assert_eq!(outcome, SignUpOutcome::AwaitingApproval);
    assert!(
        mails_of(&ctx, &fx, MailKind::Verification, "ann@customer.com")
            .await
            .is_empty()
    );
    let notices = mails_of(&ctx, &fx, MailKind::SignupNotice, "nora@zylker.com").await;
    assert_eq!(notices.len(), 1);
    assert!(notices[0].subject.contains("asks to join"));
    let body = portico_app::mail::get_mail(&ctx, &fx.admin, notices[0].id)
        .await
        .unwrap();
    assert!(
        body.text
            .contains(&format!("/admin/setup/portals/{}/signups", fx.portal.id))
    );
    assert!(!signs_in(&ctx, &fx, "ann@customer.com", PASSWORD).await);
    // Applying again: the same answer, nobody told twice.
    assert_eq!(
        join(&ctx, &fx, "Ann Lee", "ann@customer.com", PASSWORD).await,
        SignUpOutcome::AwaitingApproval
    );
    assert_eq!(
        mails_of(&ctx, &fx, MailKind::SignupNotice, "nora@zylker.com")
            .await
            .len(),
        1
    );
    let waiting = pending(&ctx, &fx).await;
    assert_eq!(waiting.len(), 1);
    let applicant = &waiting[0];
    assert_eq!(
        (applicant.status, applicant.record_id),
        (PortalUserStatus::Pending, None)
    );
    let user = approve(&ctx, &fx.admin, fx.portal.id, applicant.id)
        .await
        .unwrap();
    assert_eq!(user.status, PortalUserStatus::Active);
    assert!(user.record_id.is_some());
    let decisions = mails_of(&ctx, &fx, MailKind::SignupDecision, "ann@customer.com").await;
    assert_eq!(decisions.len(), 1);
    assert!(decisions[0].subject.contains("approved"));
    assert!(
        signs_in(&ctx, &fx, "ann@customer.com", PASSWORD).await,
        "approved with the password the applicant chose"
    );
    assert!(pending(&ctx, &fx).await.is_empty());
    let twice = approve(&ctx, &fx.admin, fx.portal.id, applicant.id).await;
    assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");
    let actions = audit_actions(&ctx, &fx).await;
    for action in [
        "portal.signup",
        "portal.signup_repeat",
        "portal.signup_approve",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn a_rejected_applicant_is_told_and_cannot_sign_in(ctx: Context) {
    let fx = fixture(&ctx, "restricted", json!({"notify_applicant": true})).await;
    join(&ctx, &fx, "Bob", "bob@customer.com", PASSWORD).await;
    let id = pending(&ctx, &fx).await[0].id;
    reject(&ctx, &fx.admin, fx.portal.id, id).await.unwrap();
    let decisions = mails_of(&ctx, &fx, MailKind::SignupDecision, "bob@customer.com").await;
    assert_eq!(decisions.len(), 1);
    let body = portico_app::mail::get_mail(&ctx, &fx.admin, decisions[0].id)
        .await
        .unwrap();
    assert!(body.text.contains("was not approved"));
    assert!(!signs_in(&ctx, &fx, "bob@customer.com", PASSWORD).await);
    assert!(matches!(
        reject(&ctx, &fx.admin, fx.portal.id, id).await,
        Err(AppError::NotFound)
    ));
    assert!(
        audit_actions(&ctx, &fx)
            .await
            .iter()
            .any(|a| a == "portal.signup_reject")
    );
    // Without notify_applicant nobody writes to the applicant.
    let quiet = portico_app::portals::update_portal(
        &ctx,
        &fx.admin,
        fx.portal.id,
        common::object(json!({"notify_applicant": false})),
    )
    .await
    .unwrap();
    sign_up(&ctx, &quiet, form("Cy", "cy@customer.com", PASSWORD))
        .await
        .unwrap();
    let id = pending(&ctx, &fx).await[0].id;
    approve(&ctx, &fx.admin, fx.portal.id, id).await.unwrap();
    assert!(
        mails_of(&ctx, &fx, MailKind::SignupDecision, "cy@customer.com")
            .await
            .is_empty()
    );
}

async fn a_contacts_address_is_approved_at_once(ctx: Context) {
    let fx = fixture(&ctx, "restricted", json!({"auto_approve_contacts": true})).await;
    let contact = portico_app::records::create_record(
        &ctx,
        &fx.admin,
        "Contacts",
        &common::object(json!({"Last_Name": "Known", "Email": "known@customer.com"})),
        RecordExtras::default(),
    )
    .await
    .unwrap();
    let outcome = join(&ctx, &fx, "Known", "KNOWN@customer.com", PASSWORD).await;
    assert_eq!(outcome, SignUpOutcome::AwaitingApproval, "the same answer");
    assert!(signs_in(&ctx, &fx, "known@customer.com", PASSWORD).await);
    let login = portal_accounts::sign_in(
        &ctx,
        &fx.portal,
        "known@customer.com",
        PASSWORD,
        (None, None),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    assert_eq!(login.1.record_id, Some(contact.id));
    assert!(pending(&ctx, &fx).await.is_empty());
    let notices = mails_of(&ctx, &fx, MailKind::SignupNotice, "nora@zylker.com").await;
    assert_eq!(notices.len(), 1);
    // An address no contact has still waits.
    join(&ctx, &fx, "New", "new@customer.com", PASSWORD).await;
    assert!(!signs_in(&ctx, &fx, "new@customer.com", PASSWORD).await);
    assert_eq!(pending(&ctx, &fx).await.len(), 1);
}

async fn the_domain_seat_and_input_rules_refuse_a_sign_up(ctx: Context) {
    let fx = fixture(&ctx, "public", json!({})).await;
    let portal = &fx.portal;
    for (f, field, code) in [
        (
            form("Ann", "it@zylker.com", PASSWORD),
            "email",
            "same_domain",
        ),
        (
            form("Ann", "it@eu.zylker.com", PASSWORD),
            "email",
            "same_domain",
        ),
        (
            form("Ann", "ann!@customer.com", PASSWORD),
            "email",
            "invalid_email",
        ),
        (
            form(&"a".repeat(201), "ann@customer.com", PASSWORD),
            "name",
            "too_long",
        ),
        (
            form("Ann\u{0}", "ann@customer.com", PASSWORD),
            "name",
            "invalid_characters",
        ),
        (
            form(
                "Ann",
                &format!("{}@customer.com", "a".repeat(250)),
                PASSWORD,
            ),
            "email",
            "too_long",
        ),
        (
            form("Ann", "ann@customer.com", "short"),
            "password",
            "password_too_short",
        ),
    ] {
        let e = sign_up(&ctx, portal, f).await.unwrap_err();
        assert_eq!(e.field_errors()[0].field, field, "{e:?}");
        assert_eq!(email_code(e), code);
    }
    let mut mismatch = form("Ann", "ann@customer.com", PASSWORD);
    mismatch.confirm = "something else entirely".into();
    assert_eq!(
        email_code(sign_up(&ctx, portal, mismatch).await.unwrap_err()),
        "password_mismatch"
    );
    assert!(
        mails(&ctx, &fx).await.is_empty(),
        "no refusal sends anything"
    );

    // One seat: the first verified sign-up takes it; the next is refused.
    let types = portico_app::user_types::user_types(&ctx, &fx.admin, portal.id)
        .await
        .unwrap();
    let default = types.iter().find(|t| t.is_default).unwrap();
    let mut config = default.config.clone();
    config.seats = 1;
    portico_app::user_types::replace_user_type(&ctx, &fx.admin, portal.id, default.id, config)
        .await
        .unwrap();
    sign_up(&ctx, portal, form("Ann", "ann@customer.com", PASSWORD))
        .await
        .unwrap();
    sign_up(&ctx, portal, form("Bob", "bob@customer.com", PASSWORD))
        .await
        .unwrap();
    let ann = verification_token(&ctx, &fx, "ann@customer.com").await;
    let bob = verification_token(&ctx, &fx, "bob@customer.com").await;
    verify_email(&ctx, portal, &ann, None).await.unwrap();
    let e = verify_email(&ctx, portal, &bob, None).await.unwrap_err();
    assert_eq!(email_code(e), "seat_limit", "no seat left at verification");
    let e = sign_up(&ctx, portal, form("Cy", "cy@customer.com", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(email_code(e), "seat_limit");
}

async fn one_address_cannot_be_flooded(ctx: Context) {
    let fx = fixture(&ctx, "public", json!({})).await;
    for _ in 0..5 {
        join(&ctx, &fx, "Ann", "ann@customer.com", PASSWORD).await;
    }
    let r = sign_up(&ctx, &fx.portal, form("Ann", "Ann@Customer.com", PASSWORD)).await;
    assert!(matches!(r, Err(AppError::TooManyAttempts)), "{r:?}");
    assert_eq!(
        mails_of(&ctx, &fx, MailKind::Verification, "ann@customer.com")
            .await
            .len(),
        5
    );
    // Another address is not held back.
    join(&ctx, &fx, "Bob", "bob@customer.com", PASSWORD).await;
    assert!(
        audit_actions(&ctx, &fx)
            .await
            .iter()
            .any(|a| a == "portal.signup_locked")
    );
}

async fn only_administrators_of_the_org_decide(ctx: Context) {
    let fx = fixture(&ctx, "restricted", json!({})).await;
    join(&ctx, &fx, "Ann", "ann@customer.com", PASSWORD).await;
    let id: Id = pending(&ctx, &fx).await[0].id;
    // Nora is told about sign-ups, but is no administrator.
    assert!(matches!(
        list_signups(&ctx, &fx.nora, fx.portal.id, None, None).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        approve(&ctx, &fx.nora, fx.portal.id, id).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        reject(&ctx, &fx.nora, fx.portal.id, id).await,
        Err(AppError::Forbidden(_))
    ));
    // Another org's administrator: A's portal and A's sign-up are not found.
    let other = common::org(&ctx, "Other", "other.example").await;
    let (their_portal, _) =
        portico_app::portals::create_portal(&ctx, &other, Some("Theirs".into()))
            .await
            .unwrap();
    for r in [
        approve(&ctx, &other, fx.portal.id, id).await.map(|_| ()),
        approve(&ctx, &other, their_portal.id, id).await.map(|_| ()),
        reject(&ctx, &other, their_portal.id, id).await,
        list_signups(&ctx, &other, fx.portal.id, None, None)
            .await
            .map(|_| ()),
    ] {
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    }
    let bad_limit = list_signups(&ctx, &fx.admin, fx.portal.id, None, Some(0)).await;
    assert!(matches!(bad_limit, Err(AppError::Invalid(_))));
    // Still pending, untouched.
    assert_eq!(
        pending(&ctx, &fx).await[0].status,
        PortalUserStatus::Pending
    );
}
