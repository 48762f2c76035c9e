"""The clinic's look from settings: contrast maths, the adjust-or-refuse policy, the logo and the theme."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from chatbot.settings import BrandSettings, Settings
from chatbot.web.layout import disclaimer_html, header_html
from chatbot.web.theme import (
    FONTS,
    SHIPPED_FILES,
    BrandError,
    ShippedFont,
    build_theme,
    contrast,
    logo_src,
    palette,
    readable,
)
from tests.chatbot.web.conftest import CLINIC


def test_contrast_is_wcag_s_ratio() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert contrast("#ffffff", "#f97316") == pytest.approx(2.80, abs=0.01)  # Gradio's orange under white text
    assert contrast("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes on white


def test_readable_darkens_on_light_and_lightens_on_dark_only_as_much_as_needed() -> None:
    assert readable("#0f6e6a", "#ffffff", 4.5) == "#0f6e6a"  # enough already: unchanged
    darker = readable("#f97316", "#ffffff", 4.5)
    assert 4.5 <= contrast(darker, "#ffffff") < 4.9
    lighter = readable("#0f6e6a", "#0f172a", 4.5)
    assert 4.5 <= contrast(lighter, "#0f172a") < 4.9


def test_default_brand_is_a_calm_colour_that_passes_unchanged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="chatbot.web.theme"):
        colours = palette(BrandSettings())
    assert colours.primary == BrandSettings().primary_color and contrast(colours.primary, "#ffffff") >= 4.5
    assert contrast(colours.soft, "#1e293b") >= 4.5  # the patient's bubbles under body text
    assert contrast(colours.link_dark, "#0f172a") >= 4.5
    assert not caplog.records


def test_a_weak_colour_is_darkened_and_logged_or_refused(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="chatbot.web.theme"):
        adjusted = palette(BrandSettings(primary_color="#f59e0b"))
    assert contrast(adjusted.primary, "#ffffff") >= 4.5
    assert f"#f59e0b gives white text on buttons only 2.15:1 against #ffffff (needs 4.5:1); darkened to " \
           f"{adjusted.primary}" in caplog.text
    with pytest.raises(BrandError, match=r"UPLIFTED_BRAND_PRIMARY_COLOR #f59e0b .* 2\.15:1 .* needs 4\.5:1"):
        palette(BrandSettings(primary_color="#f59e0b", contrast="refuse"))


def test_brand_settings_come_from_the_environment_and_refuse_what_is_not_a_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPLIFTED_BRAND_PRIMARY_COLOR", "#1D4ED8")
    monkeypatch.setenv("UPLIFTED_BRAND_CONTRAST", "refuse")
    brand = Settings().brand
    assert (brand.primary_color, brand.contrast) == ("#1d4ed8", "refuse")
    assert BrandSettings(primary_color="#abc").primary_color == "#aabbcc"
    for bad in ["orange", "#12345", "url(x)"]:
        with pytest.raises(ValidationError, match="UPLIFTED_BRAND_PRIMARY_COLOR"):
            BrandSettings(primary_color=bad)
    with pytest.raises(ValidationError, match="font family"):
        BrandSettings(font="x'; } body { display: none")


def test_the_theme_uses_the_colour_and_ships_one_font_with_regular_and_bold() -> None:
    theme = build_theme(BrandSettings(primary_color="#f97316"))
    primary = palette(BrandSettings(primary_color="#f97316")).primary
    assert theme.button_primary_background_fill == primary and theme.button_primary_text_color == "#ffffff"
    assert theme.font.startswith("'Atkinson Hyperlegible'") and "IBM Plex" not in theme.font_mono
    rules = ShippedFont("Atkinson Hyperlegible").stylesheet()["css"] or ""
    assert rules.count("@font-face") == len(SHIPPED_FILES) and "font-weight: 700" in rules
    assert "http" not in rules and all((FONTS / name).is_file() for name in SHIPPED_FILES.values())
    # fetched from the app's own fonts/ route: the address says nothing about where the package is installed
    assert rules.count("src: url('fonts/atkinson-hyperlegible-") == len(SHIPPED_FILES)
    assert str(FONTS.parent.parent) not in rules and "file=" not in rules
    assert (FONTS / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") == 1
    assert ShippedFont("Comic Neue").stylesheet() == {"url": None, "css": None}  # not shipped: nothing to load


def test_logo_is_a_small_image_file_inlined_or_an_https_address(tmp_path: Path) -> None:
    assert logo_src(None) is None
    assert logo_src("https://clinic.example/logo.png") == "https://clinic.example/logo.png"
    svg = tmp_path / "logo.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    assert (logo_src(str(svg)) or "").startswith("data:image/svg+xml;base64,")
    with pytest.raises(BrandError, match="PNG, JPEG, WebP or SVG"):
        logo_src(str(tmp_path / "logo.gif"))
    with pytest.raises(BrandError, match="no such file"):
        logo_src(str(tmp_path / "missing.png"))
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"0" * 300_000)
    with pytest.raises(BrandError, match="under 200 kB"):
        logo_src(str(big))
    with pytest.raises(BrandError):
        logo_src("http://clinic.example/logo.png")  # not https: not a file either


def test_header_and_disclaimer_escape_the_clinic_s_words() -> None:
    clinic = CLINIC.model_copy(update={"name": "A <b>Clinic</b> & Co"})
    header = header_html(clinic, "data:image/png;base64,AAAA")
    assert "<h1>A &lt;b&gt;Clinic&lt;/b&gt; &amp; Co</h1>" in header and 'alt="A &lt;b&gt;Clinic' in header
    assert 'href="tel:5550109999"' in header
    assert 'href="tel:' not in header_html(clinic.model_copy(update={"phone": "ask at the desk"}))
    disclaimer = disclaimer_html(clinic)
    assert disclaimer.startswith('<details class="disclaimer"><summary>') and "<b>" not in disclaimer
