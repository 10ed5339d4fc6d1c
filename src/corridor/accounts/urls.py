from django.urls import path

from corridor.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("verify/", views.verify_view, name="verify"),
    path("enrol/", views.enrol_view, name="enrol"),
    path("recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password"),
    path("second-factor/", views.second_factor_view, name="second_factor"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<uuid:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
