//! The admin UI in a real headless Chromium: sign in, create a record through the form, see it
//! in the list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::webdriver::Browser;
use support::{ADMIN, Backend, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_create_a_contact_and_find_it_in_the_list() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let base = &app.base;

    browser
        .goto(&format!("{base}/admin/records/Contacts"))
        .await;
    browser.wait_for("Sign in").await;
    browser.type_into("#email", ADMIN.0).await;
    browser.type_into("#password", ADMIN.1).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("New record").await;
    assert!(
        browser.url().await.ends_with("/admin/records/Contacts"),
        "back where sign-in started"
    );

    browser.click("a.button.primary").await;
    browser.wait_for("f.Last_Name").await;
    // A first attempt with a bad email shows the error beside the field and keeps the input.
    browser.type_into("[name='f.First_Name']", "Brow").await;
    browser.type_into("[name='f.Last_Name']", "Serwright").await;
    browser.type_into("[name='f.Email']", "brow@").await;
    browser.click(".form-actions button[type=submit]").await;
    let page = browser.wait_for("must be a valid email address").await;
    assert!(page.contains("value=\"Serwright\""));
    browser
        .type_into("[name='f.Email']", "brow.serwright@example.com")
        .await;
    browser.click(".form-actions button[type=submit]").await;
    browser.wait_for("Record created").await;

    browser
        .goto(&format!("{base}/admin/records/Contacts"))
        .await;
    let list = browser.wait_for("Serwright").await;
    assert!(list.contains("brow.serwright@example.com"));
    if let Ok(dir) = std::env::var("PORTICO_SCREENSHOTS") {
        browser
            .screenshot(&std::path::Path::new(&dir).join("contacts-list.png"))
            .await;
    }
    browser.quit().await;
}
