"""Chinese by default, English on request; the English catalogue is complete and compiled."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

PASSWORD = "Xq7!tr9#Lm2p"  # test-only; passes the complexity validators
PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%%|\{\{\s*\w+\s*\}\}")


def _parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: ``msgid``, ``msgid_plural``, ``msgstr``/``msgstr[n]`` and the ``#,`` flags."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    key = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid" in current:
                entries.append(current)
            current, key = {}, ""
            continue
        if line.startswith("#,"):
            flags = current.setdefault("flags", set())
            assert isinstance(flags, set)
            flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            key = match.group(1)
            current[key] = ast.literal_eval(match.group(2))
        else:
            assert key and line.startswith('"'), f"unexpected line in {path}: {raw!r}"
            current[key] = str(current[key]) + ast.literal_eval(line)
    return entries


def _translations(entry: dict[str, object]) -> list[str]:
    return [str(v) for k, v in sorted(entry.items()) if k.startswith("msgstr")]


@pytest.fixture
def bureau_client(db: None) -> Client:
    from chanjiao.accounts.models import Membership, User

    user = User.objects.create_user("i18n_bureau", password=PASSWORD)
    Membership.objects.create(user=user, role="bureau_admin")
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------------------------------- pages


def test_dashboard_is_chinese_by_default(bureau_client: Client) -> None:
    html = bureau_client.get(reverse("reports:dashboard")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "工作台" in html
    assert "单位与职教集团" in html  # a nav group
    assert "Dashboard" not in html
    assert '<option value="en">English</option>' in html  # languages are named in their own language


def test_switching_to_english_translates_the_page_and_the_nav(bureau_client: Client) -> None:
    dashboard = reverse("reports:dashboard")
    response = bureau_client.post(reverse("set_language"), {"language": "en", "next": dashboard})
    assert response.status_code == 302
    assert response["Location"] == dashboard

    html = bureau_client.get(dashboard).content.decode()
    assert '<html lang="en">' in html
    assert "Dashboard" in html
    assert "工作台" not in html
    assert '<option value="zh-hans">简体中文</option>' in html
    # The menu comes from the registry (model verbose names, menu groups).
    for label in ("Organisations and vocational education groups", "School", "Enterprise",
                  "Vocational education group", "Industry–academia cooperation committee", "Sign out"):
        assert label in html, label
    for label in ("单位与职教集团", "产学合作委员会", "退出登录"):
        assert label not in html, label

    # …and back to Chinese.
    bureau_client.post(reverse("set_language"), {"language": "zh-hans", "next": dashboard})
    html = bureau_client.get(dashboard).content.decode()
    assert '<html lang="zh-hans">' in html and "工作台" in html


@pytest.mark.django_db
def test_login_page_is_chinese_even_for_an_english_browser_until_the_user_chooses() -> None:
    # Office machines often run English browsers; the platform stays Chinese unless chosen otherwise.
    client = Client()
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page and "账户登录" in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in english
    assert "Sign in" in english and "Password" in english
    assert "账户登录" not in english


# ------------------------------------------------------------------------------------ the catalogue


def test_english_catalogue_has_no_untranslated_or_fuzzy_strings() -> None:
    entries = [e for e in _parse_po(PO_PATH) if e["msgid"]]
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(t.strip() for t in _translations(e))]
    assert not untranslated, f"untranslated msgids in {PO_PATH.name}: {untranslated}"
    fuzzy = [e["msgid"] for e in _parse_po(PO_PATH) if "fuzzy" in e.get("flags", set())]  # type: ignore[operator]
    assert not fuzzy, f"fuzzy entries in {PO_PATH.name}: {fuzzy}"


def test_english_translations_keep_their_placeholders() -> None:
    wrong = []
    for entry in _parse_po(PO_PATH):
        expected = sorted(PLACEHOLDER.findall(str(entry["msgid"])))
        for text in _translations(entry):
            if entry["msgid"] and sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry["msgid"], text))
    assert not wrong


def test_compiled_catalogue_matches_the_po_file() -> None:
    """Catches a .po edited without running ``compilemessages``."""
    with MO_PATH.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for entry in _parse_po(PO_PATH):
        msgid = str(entry["msgid"])
        if not msgid:
            continue
        context = str(entry["msgctxt"]) if "msgctxt" in entry else None
        if "msgid_plural" in entry:
            plural = str(entry["msgid_plural"])
            got = [catalogue.npgettext(context, msgid, plural, n) if context else catalogue.ngettext(msgid, plural, n)
                   for n in (1, 2)]
            want = [str(entry["msgstr[0]"]), str(entry["msgstr[1]"])]
        else:
            # A msgid with a context (pgettext: the offering status 暂停招生) is its own entry.
            got = [catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)]
            want = [str(entry["msgstr"])]
        if got != want:
            stale.append(msgid)
    assert not stale, f"django.mo is out of date, run compilemessages: {stale[:5]}"
