from django.urls import path

from hocvuso.accounts.views import account, register, two_factor, vneid

app_name = "accounts"
urlpatterns = [
    path("tai-khoan/", account.account, name="account"),
    path("tai-khoan/xac-thuc/", two_factor.otp, name="otp"),
    path("tai-khoan/xac-thuc/cai-dat/", two_factor.otp_enrol, name="otp_enrol"),
    path("tai-khoan/xac-thuc/tat/", two_factor.otp_disable, name="otp_disable"),
    path("tai-khoan/ma-du-phong/", two_factor.recovery_codes, name="recovery_codes"),
    path(
        "tai-khoan/ma-du-phong/tao-moi/",
        two_factor.recovery_regenerate,
        name="recovery_regenerate",
    ),
    path("tai-khoan/the-thiet-bi/", account.tokens, name="tokens"),
    path(
        "tai-khoan/the-thiet-bi/<uuid:token_id>/thu-hoi/",
        account.token_revoke,
        name="token_revoke",
    ),
    path("dang-nhap/vneid/", vneid.vneid_start, name="vneid_start"),
    path("dang-nhap/vneid/ve/", vneid.vneid_callback, name="vneid_callback"),
    path("dang-ky/", register.register, name="register"),
    path("dang-ky/ma/", register.register_code, name="register_code"),
    path("dang-ky/mat-khau/", register.register_password, name="register_password"),
]
