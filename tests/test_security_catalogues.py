"""zh-hans first for the security and audit pages (the catalogue itself is checked in test_translations)."""

from django.test import Client


def test_pages_are_chinese_by_default(city):
    client = Client()
    client.force_login(city.sec)
    assert "安全管理" in client.get("/security/").content.decode()
    anonymous = Client()
    for _ in range(5):
        page = anonymous.post("/login/", {"username": "x", "password": "y"})
    assert "登录失败次数过多" in page.content.decode()
