//! Invitations on both backends: every failure reason of PRODUCT.md comes from a test that sets
//! up its cause; a sent invitation writes the portal user, the link and the email; the link
//! opens the account exactly once, also under 100 concurrent acceptances; re-inviting kills the
//! old link; the failures and the successes are audited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use portico_app::invitations::{InviteTo, invite_record};
use portico_app::records::{RecordExtras, create_record, delete_record};
use portico_app::{AppError, Context};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::portal::Portal;
use portico_domain::portal_user::{InviteFailure, PortalUserStatus};
use portico_domain::profile::{ModulePermissions, NewProfile, RecordScope};
use portico_domain::record::RecordState;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

on_both!(
    each_reason_comes_from_its_cause,
    consent_is_required_only_when_the_org_says_so,
    permissions_of_the_inviting_user,
    an_invitation_writes_user_link_and_email_and_opens_once,
    one_hundred_concurrent_acceptances_open_one_account,
    reinviting_kills_the_old_link,
    seats_count_invited_and_active_users,
    concurrent_invitations_never_take_more_seats_than_there_are,
);

const DOMAIN: &str = "zylker.example";

struct Setup {
    admin: CrmActor,
    portal: Portal,
    to: InviteTo,
}

async fn setup(ctx: &Context) -> Setup {
    let admin = common::org(ctx, "Zylker", DOMAIN).await;
    let (portal, client) =
        portico_app::portals::create_portal(ctx, &admin, Some("Zylker Customers".into()))
            .await
            .unwrap();
    let to = InviteTo {
        portal_id: portal.id,
        user_type_id: client.id,
        language: None,
    };
    Setup { admin, portal, to }
}

async fn contact(
    ctx: &Context,
    actor: &CrmActor,
    name: &str,
    email: Option<&str>,
    state: RecordState,
) -> Id {
    let mut data = json!({"Last_Name": name});
    if let Some(e) = email {
        data["Email"] = json!(e);
    }
    let extras = RecordExtras {
        state: Some(state),
        ..RecordExtras::default()
    };
    create_record(ctx, actor, "Contacts", &common::object(data), extras)
        .await
        .unwrap()
        .id
}

fn consent() -> RecordState {
    RecordState {
        gdpr_consent: true,
        ..RecordState::default()
    }
}

async fn refused(ctx: &Context, actor: &CrmActor, record: Id, to: &InviteTo) -> InviteFailure {
    match invite_record(ctx, actor, "Contacts", record, to).await {
        Err(AppError::InviteRefused(f)) => f,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The token of the newest invitation email to `to`, read from its text body.
async fn token_in_mail(ctx: &Context, admin: &CrmActor, to: &str) -> String {
    let page = portico_app::mail::list_mail(ctx, admin, portico_app::mail::MailPage::default())
        .await
        .unwrap();
    let summary = page
        .items
        .iter()
        .find(|m| m.recipient == to)
        .unwrap_or_else(|| panic!("no mail to {to}"));
    let mail = portico_app::mail::get_mail(ctx, admin, summary.id)
        .await
        .unwrap();
    let at = mail
        .text
        .find("/invite/")
        .expect("the link is in the text body");
    mail.text[at + "/invite/".len()..][..64].to_string()
}

async fn each_reason_comes_from_its_cause(ctx: Context) {
    let s = setup(&ctx).await;
    let (a, to) = (&s.admin, &s.to);
    let plain = consent();
    let cases = [
        (Some("it@zylker.example"), plain, InviteFailure::SameDomain),
        (
            Some("it@eu.zylker.example"),
            plain,
            InviteFailure::SameDomain,
        ),
        (
            Some("ada@customer.example"),
            RecordState {
                approval_locked: true,
                ..plain
            },
            InviteFailure::AwaitingApproval,
        ),
        (
            Some("bob@customer.example"),
            RecordState {
                in_review: true,
                ..plain
            },
            InviteFailure::UnderReview,
        ),
        (
            Some("c!d@customer.example"),
            plain,
            InviteFailure::InvalidEmail,
        ),
        (
            Some("ann@mailinator.com"),
            plain,
            InviteFailure::AnonymousDomain,
        ),
        (None, plain, InviteFailure::NoEmail),
    ];
    for (i, (email, state, want)) in cases.into_iter().enumerate() {
        let id = contact(&ctx, a, &format!("Case {i}"), email, state).await;
        assert_eq!(refused(&ctx, a, id, to).await, want, "{email:?}");
    }
    assert_eq!(
        refused(&ctx, a, 9_999_999, to).await,
        InviteFailure::RecordNotFound
    );
    let binned = contact(&ctx, a, "Binned", Some("bin@customer.example"), plain).await;
    delete_record(&ctx, a, "Contacts", binned).await.unwrap();
    assert_eq!(
        refused(&ctx, a, binned, to).await,
        InviteFailure::InRecycleBin
    );
    let ok = contact(&ctx, a, "Ada", Some("ada.ok@customer.example"), plain).await;
    invite_record(&ctx, a, "Contacts", ok, to).await.unwrap();
    assert_eq!(
        refused(&ctx, a, ok, to).await,
        InviteFailure::AlreadyInvited
    );
    // Another record with the same address (any letter case) is the same portal user.
    let twin = contact(&ctx, a, "Ada twin", Some("ADA.OK@customer.example"), plain).await;
    assert_eq!(
        refused(&ctx, a, twin, to).await,
        InviteFailure::AlreadyInvited
    );
    // Every failure was audited with its code.
    let log = portico_app::audit::audit_log(&ctx, a, 100).await.unwrap();
    let failed: Vec<_> = log
        .iter()
        .filter(|e| e.action == "portal.invite_failed")
        .map(|e| e.detail["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(failed.len(), 11, "{failed:?}");
    assert!(failed.contains(&"record_not_found".to_string()));
    assert_eq!(
        log.iter().filter(|e| e.action == "portal.invite").count(),
        1
    );
}

async fn consent_is_required_only_when_the_org_says_so(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let without = contact(
        &ctx,
        a,
        "No consent",
        Some("nc@customer.example"),
        RecordState::default(),
    )
    .await;
    let mut settings = portico_app::org::org(&ctx, a).await.unwrap().settings;
    settings.gdpr_consent_required = true;
    portico_app::org::update_org(&ctx, a, settings.clone())
        .await
        .unwrap();
    assert_eq!(
        refused(&ctx, a, without, &s.to).await,
        InviteFailure::NoConsent
    );
    settings.gdpr_consent_required = false;
    portico_app::org::update_org(&ctx, a, settings)
        .await
        .unwrap();
    invite_record(&ctx, a, "Contacts", without, &s.to)
        .await
        .unwrap();
}

async fn user_with(
    ctx: &Context,
    admin: &CrmActor,
    email: &str,
    contacts: ModulePermissions,
    scope: RecordScope,
) -> CrmActor {
    let profile = portico_app::users::create_profile(
        ctx,
        admin,
        NewProfile {
            name: format!("Profile of {email}"),
            scope,
            permissions: BTreeMap::from([("Contacts".to_string(), contacts)]),
        },
    )
    .await
    .unwrap();
    let user = portico_app::users::create_user(
        ctx,
        admin,
        portico_app::users::NewUserInput {
            email: email.into(),
            name: email.into(),
            password: "a-long-enough-password".into(),
            profile_id: profile.id,
            super_admin: false,
        },
    )
    .await
    .unwrap();
    portico_app::sign_in::actor(ctx, user.org_id, user.id)
        .await
        .unwrap()
}

async fn permissions_of_the_inviting_user(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let record = contact(&ctx, a, "Ada", Some("ada@customer.example"), consent()).await;
    let viewer = user_with(
        &ctx,
        a,
        "viewer@zylker.example",
        ModulePermissions {
            view: true,
            ..ModulePermissions::default()
        },
        RecordScope::All,
    )
    .await;
    assert_eq!(
        refused(&ctx, &viewer, record, &s.to).await,
        InviteFailure::NoModulePermission
    );
    // Without the module, a record that does not exist gets the same answer.
    assert_eq!(
        refused(&ctx, &viewer, 9_999_999, &s.to).await,
        InviteFailure::NoModulePermission
    );
    let rep = user_with(
        &ctx,
        a,
        "rep@zylker.example",
        ModulePermissions {
            view: true,
            create: true,
            edit: true,
            delete: false,
        },
        RecordScope::Own,
    )
    .await;
    assert_eq!(
        refused(&ctx, &rep, record, &s.to).await,
        InviteFailure::NoRecordPermission
    );
    let own = contact(
        &ctx,
        &rep,
        "Rep's own",
        Some("own@customer.example"),
        consent(),
    )
    .await;
    let invited = invite_record(&ctx, &rep, "Contacts", own, &s.to)
        .await
        .unwrap();
    assert_eq!(
        invited.portal_user.invited_by,
        Some(rep.user.id),
        "the inviter owns what they create"
    );
}

async fn an_invitation_writes_user_link_and_email_and_opens_once(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let record = contact(&ctx, a, "Lovelace", Some("Ada@Customer.example"), consent()).await;
    let invited = invite_record(&ctx, a, "Contacts", record, &s.to)
        .await
        .unwrap();
    let user = &invited.portal_user;
    assert_eq!(
        (
            user.status,
            user.record_id,
            user.email.as_str(),
            user.preferences.language.as_str()
        ),
        (
            PortalUserStatus::Invited,
            Some(record),
            "Ada@Customer.example",
            "en"
        )
    );
    let mail = portico_app::mail::get_mail(&ctx, a, invited.mail_id)
        .await
        .unwrap();
    assert!(
        mail.html.contains("/p/zylker-customers/invite/"),
        "{}",
        mail.html
    );
    assert!(mail.summary.subject.contains("Zylker Customers"));
    let token = token_in_mail(&ctx, a, "Ada@Customer.example").await;
    let portal = &s.portal;
    let found = portico_app::portal_accounts::invitation(&ctx, portal, &token)
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(user.id));
    // Too short a password is refused and the link stays usable.
    let short = portico_app::portal_accounts::accept_invitation(
        &ctx, portal, &token, "short", "short", None,
    )
    .await;
    assert!(matches!(short, Err(AppError::Invalid(_))), "{short:?}");
    let password = "correct horse battery staple";
    let mismatch = portico_app::portal_accounts::accept_invitation(
        &ctx, portal, &token, password, "other", None,
    )
    .await;
    assert!(
        matches!(mismatch, Err(AppError::Invalid(_))),
        "{mismatch:?}"
    );
    let (session, active) = portico_app::portal_accounts::accept_invitation(
        &ctx, portal, &token, password, password, None,
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    assert_eq!(active.status, PortalUserStatus::Active);
    let me = portico_app::portal_accounts::resume(&ctx, portal, &session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.user.id, user.id);
    // Used: the link is dead, whatever is tried with it.
    assert!(
        portico_app::portal_accounts::invitation(&ctx, portal, &token)
            .await
            .unwrap()
            .is_none()
    );
    let again = portico_app::portal_accounts::accept_invitation(
        &ctx, portal, &token, password, password, None,
    )
    .await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
    // Sign-in with the new password, in any letter case of the address; a wrong one is refused.
    let (_, signed) = portico_app::portal_accounts::sign_in(
        &ctx,
        portal,
        "ada@customer.EXAMPLE",
        password,
        (None, None),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    assert_eq!(signed.id, user.id);
    let wrong = portico_app::portal_accounts::sign_in(
        &ctx,
        portal,
        "ada@customer.example",
        "not the password!",
        (None, None),
    )
    .await;
    assert!(matches!(wrong, Err(AppError::Invalid(_))), "{wrong:?}");
    // Deactivation ends the session at once and refuses the password.
    portico_app::portal_users::deactivate(&ctx, a, portal.id, user.id)
        .await
        .unwrap();
    assert!(
        portico_app::portal_accounts::resume(&ctx, portal, &session)
            .await
            .unwrap()
            .is_none()
    );
    let stopped = portico_app::portal_accounts::sign_in(
        &ctx,
        portal,
        "ada@customer.example",
        password,
        (None, None),
    )
    .await;
    assert!(matches!(stopped, Err(AppError::Invalid(_))), "{stopped:?}");
    let back = portico_app::portal_users::reactivate(&ctx, a, portal.id, user.id)
        .await
        .unwrap();
    assert_eq!(
        back.status,
        PortalUserStatus::Active,
        "they had chosen a password"
    );
    let actions: Vec<String> = portico_app::audit::audit_log(&ctx, a, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in [
        "portal.invite",
        "portal.accept",
        "portal.sign_in",
        "portal.sign_in_failed",
        "portal.user_deactivate",
        "portal.user_reactivate",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing from {actions:?}"
        );
    }
}

async fn one_hundred_concurrent_acceptances_open_one_account(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let record = contact(&ctx, a, "Race", Some("race@customer.example"), consent()).await;
    invite_record(&ctx, a, "Contacts", record, &s.to)
        .await
        .unwrap();
    let token = token_in_mail(&ctx, a, "race@customer.example").await;
    let ctx = Arc::new(ctx);
    let portal = Arc::new(s.portal.clone());
    let tries: Vec<_> = (0..100)
        .map(|i| {
            let (ctx, portal, token) = (Arc::clone(&ctx), Arc::clone(&portal), token.clone());
            tokio::spawn(async move {
                let password = format!("password number {i:03}");
                portico_app::portal_accounts::accept_invitation(
                    &ctx, &portal, &token, &password, &password, None,
                )
                .await
            })
        })
        .collect();
    let (mut won, mut lost) = (0, 0);
    for t in tries {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(AppError::NotFound) => lost += 1,
            // The password threads' queue may refuse some outright; they did not get in either.
            Err(AppError::Busy) => lost += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((won, lost), (1, 99));
    let accepted = portico_app::audit::audit_log(&ctx, a, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "portal.accept")
        .count();
    assert_eq!(accepted, 1);
}

async fn reinviting_kills_the_old_link(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let record = contact(&ctx, a, "Twice", Some("twice@customer.example"), consent()).await;
    let invited = invite_record(&ctx, a, "Contacts", record, &s.to)
        .await
        .unwrap();
    let first = token_in_mail(&ctx, a, "twice@customer.example").await;
    portico_app::portal_users::reinvite(&ctx, a, s.portal.id, invited.portal_user.id)
        .await
        .unwrap();
    let second = token_in_mail(&ctx, a, "twice@customer.example").await;
    assert_ne!(first, second);
    let portal = &s.portal;
    assert!(
        portico_app::portal_accounts::invitation(&ctx, portal, &first)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        portico_app::portal_accounts::invitation(&ctx, portal, &second)
            .await
            .unwrap()
            .is_some()
    );
    // An unknown token and a malformed one are simply dead links.
    assert!(
        portico_app::portal_accounts::invitation(&ctx, portal, &"0".repeat(64))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        portico_app::portal_accounts::invitation(&ctx, portal, "../../etc")
            .await
            .unwrap()
            .is_none()
    );
    // Another portal of the org does not open this portal's link.
    let (other, _) = portico_app::portals::create_portal(&ctx, a, Some("Zylker Vendors".into()))
        .await
        .unwrap();
    assert!(
        portico_app::portal_accounts::invitation(&ctx, &other, &second)
            .await
            .unwrap()
            .is_none()
    );
    // A removed user's link dies with them; the record can be invited again.
    portico_app::portal_users::remove(&ctx, a, portal.id, invited.portal_user.id)
        .await
        .unwrap();
    assert!(
        portico_app::portal_accounts::invitation(&ctx, portal, &second)
            .await
            .unwrap()
            .is_none()
    );
    invite_record(&ctx, a, "Contacts", record, &s.to)
        .await
        .unwrap();
}

async fn seats_count_invited_and_active_users(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let mut client = portico_app::user_types::user_type(&ctx, a, s.portal.id, s.to.user_type_id)
        .await
        .unwrap();
    client.config.seats = 2;
    portico_app::user_types::replace_user_type(
        &ctx,
        a,
        s.portal.id,
        client.id,
        client.config.clone(),
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            contact(
                &ctx,
                a,
                &format!("Seat {i}"),
                Some(&format!("seat{i}@customer.example")),
                consent(),
            )
            .await,
        );
    }
    let first = invite_record(&ctx, a, "Contacts", ids[0], &s.to)
        .await
        .unwrap();
    invite_record(&ctx, a, "Contacts", ids[1], &s.to)
        .await
        .unwrap();
    assert_eq!(
        refused(&ctx, a, ids[2], &s.to).await,
        InviteFailure::SeatLimit
    );
    let summary = portico_app::portal_users::summary(&ctx, a, s.portal.id)
        .await
        .unwrap();
    assert_eq!((summary.seats[0].used, summary.seats[0].limit), (2, 2));
    // A deactivated user frees their seat; reactivating them needs one again.
    portico_app::portal_users::deactivate(&ctx, a, s.portal.id, first.portal_user.id)
        .await
        .unwrap();
    invite_record(&ctx, a, "Contacts", ids[2], &s.to)
        .await
        .unwrap();
    let full =
        portico_app::portal_users::reactivate(&ctx, a, s.portal.id, first.portal_user.id).await;
    assert!(
        matches!(full, Err(AppError::InviteRefused(InviteFailure::SeatLimit))),
        "{full:?}"
    );
}

async fn concurrent_invitations_never_take_more_seats_than_there_are(ctx: Context) {
    let s = setup(&ctx).await;
    let a = &s.admin;
    let mut client = portico_app::user_types::user_type(&ctx, a, s.portal.id, s.to.user_type_id)
        .await
        .unwrap();
    client.config.seats = 3;
    portico_app::user_types::replace_user_type(&ctx, a, s.portal.id, client.id, client.config)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..12 {
        let email = format!("race{i}@customer.example");
        ids.push(contact(&ctx, a, &format!("Race {i}"), Some(&email), consent()).await);
    }
    let ctx = Arc::new(ctx);
    let tries: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (ctx, a, to) = (Arc::clone(&ctx), a.clone(), s.to.clone());
            tokio::spawn(async move { invite_record(&ctx, &a, "Contacts", id, &to).await })
        })
        .collect();
    let (mut sent, mut full) = (0, 0);
    for t in tries {
        match t.await.unwrap() {
            Ok(_) => sent += 1,
            Err(AppError::InviteRefused(InviteFailure::SeatLimit)) => full += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((sent, full), (3, 9));
}
