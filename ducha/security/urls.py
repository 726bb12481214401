"""Log-in steps, each person's account security, and the security administrator's pages."""

from django.urls import path

from ducha.security import views_account, views_admin, views_login

urlpatterns = [
    path("login/", views_login.login_view, name="login"),
    path("login/otp/", views_login.otp_view, name="login-otp"),
    path("login/otp/enrol/", views_login.enrol_view, name="login-otp-enrol"),
    path("logout/", views_login.logout_view, name="logout"),
    # The admin site's own log-in, log-out and password pages would bypass the controls above.
    path("admin/login/", views_login.admin_login_redirect),
    path("admin/logout/", views_login.logout_view),
    path("admin/password_change/", views_account.password_change),
    path("account/security/", views_account.account_security, name="account-security"),
    path("account/password/", views_account.password_change, name="account-password"),
    path("account/authenticator/", views_account.account_enrol, name="account-enrol"),
    path("account/authenticator/remove/", views_account.account_remove_factor, name="account-remove-factor"),
    path("account/sessions/end/", views_account.account_end_session, name="account-end-session"),
    path("security/", views_admin.home, name="security-home"),
    path("security/lockouts/", views_admin.lockouts, name="security-lockouts"),
    path("security/lockouts/unlock/", views_admin.unlock, name="security-unlock"),
    path("security/accounts/", views_admin.accounts, name="security-accounts"),
    path("security/accounts/<int:person_id>/", views_admin.account_detail, name="security-account"),
    path("security/accounts/<int:person_id>/reset-factor/", views_admin.reset_factor, name="security-reset-factor"),
    path("security/policy/", views_admin.policy, name="security-policy"),
]
