"""URLs for signing in and out, passwords, two-factor sign-in and user maintenance."""

from django.urls import path

from s2s.accounts import views_language, views_signin, views_users

app_name = "accounts"
urlpatterns = [
    # Signing in and out, activation, passwords, two-factor (views_signin.py).
    path("sign-in", views_signin.SignInView.as_view(), name="sign-in"),
    path("sign-out", views_signin.sign_out, name="sign-out"),
    path("signed-out", views_signin.signed_out, name="signed-out"),
    path("activate/<uidb64>/<token>", views_signin.ActivateView.as_view(), name="activate"),
    path("password", views_signin.PasswordChangeView.as_view(), name="password-change"),
    path("two-factor", views_signin.two_factor, name="two-factor"),
    path("two-factor/remove", views_signin.two_factor_remove, name="two-factor-remove"),
    path("two-factor/verify", views_signin.two_factor_verify, name="two-factor-verify"),
    path("administrators", views_signin.administrators, name="administrators"),
    # The header's language switch (views_language.py).
    path("language/<str:language>", views_language.language_choose, name="language"),
    path("email-language", views_language.email_language, name="email-language"),
    # User administration (views_users.py).
    path("users", views_users.user_list, name="user-list"),
    path("users/new", views_users.user_create, name="user-create"),
    path("users/<int:pk>", views_users.user_detail, name="user-detail"),
    path("users/<int:pk>/role", views_users.user_role, name="user-role"),
    path("users/<int:pk>/delete", views_users.user_delete, name="user-delete"),
    path("users/<int:pk>/reset-password", views_users.user_reset, name="user-reset"),
    path("users/<int:pk>/reset-two-factor", views_users.user_two_factor_reset,
         name="user-two-factor-reset"),
    path("users/<int:pk>/confirm", views_users.user_confirm, name="user-confirm"),
    path("users/<int:pk>/active", views_users.user_active, name="user-active"),
]
