from django.urls import path

from .views import audit, common, open311_keys, security, system

app_name = "console"
urlpatterns = [
    path("", common.index, name="index"),
    # System administrator
    path("accounts/", system.accounts, name="accounts"),
    path("new-account/", system.account_create, name="account_create"),
    path("accounts/<str:username>/", system.account_detail, name="account_detail"),
    path("accounts/<str:username>/active/", system.account_set_active, name="account_set_active"),
    path("accounts/<str:username>/password/", system.account_reset_password, name="account_reset_password"),
    path("backups/", system.backups, name="backups"),
    path("backups/run/", system.backup_run, name="backup_run"),
    # Security administrator
    path("people/", security.people, name="people"),
    path("people/<str:username>/", security.person, name="person"),
    path("people/<str:username>/roles/", security.person_roles, name="person_roles"),
    path("people/<str:username>/mfa-required/", security.person_mfa_required, name="person_mfa_required"),
    path("people/<str:username>/mfa-reset/", security.person_mfa_reset, name="person_mfa_reset"),
    path("people/<str:username>/posts/", security.post_appoint, name="post_appoint"),
    path("posts/<int:pk>/end/", security.post_end, name="post_end"),
    path("tokens/", security.tokens, name="tokens"),
    path("tokens/issue/", security.token_issue, name="token_issue"),
    path("tokens/<int:pk>/revoke/", security.token_revoke, name="token_revoke"),
    path("open311-keys/", open311_keys.keys, name="open311_keys"),
    path("open311-keys/issue/", open311_keys.key_issue, name="open311_key_issue"),
    path("open311-keys/<int:pk>/revoke/", open311_keys.key_revoke, name="open311_key_revoke"),
    # Auditor
    path("audit/", audit.log, name="audit_log"),
    path("audit/export.xlsx", audit.export, name="audit_export"),
    path("audit/verify/", audit.verify, name="audit_verify"),
    path("audit/<int:seq>/", audit.entry, name="audit_entry"),
]
