from tests.factories import PASSWORD
from tests.otp import pass_second_factor


def login(page, base, username):
    """Sign in through the login form as a person does: the password, then (for those who
    need it) the code of their authenticator; ends on the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}/")
