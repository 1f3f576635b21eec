use askama::Template;
use axum::response::Html;

use super::layout::Chrome;
use crate::error::PageResult;
use crate::session::WebUser;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    roles: Vec<&'static str>,
    login: String,
}

pub async fn home(WebUser(session): WebUser) -> PageResult<Html<String>> {
    let page = Home {
        chrome: Chrome::new(&session, "home"),
        roles: session.principal.roles.iter().map(|r| r.label()).collect(),
        login: session.principal.login.clone(),
    };
    Ok(Html(page.render()?))
}
