"""The clinic's look: a Gradio theme from the brand settings, its colour checked for contrast.

The primary colour fills buttons with white text and colours links on white, so it must reach 4.5:1 against
white (WCAG 2.1 AA for text); the colours derived from it for controls (focus rings, borders, links on the dark
theme) must reach 3:1 or 4.5:1 against what they sit on. A colour short of that is darkened (or lightened on a
dark background) until it is enough, and the log says so; with ``UPLIFTED_BRAND_CONTRAST=refuse`` the page is
not built and the error says which colour failed and by how much.

The font is one family with real regular and bold files shipped in ``static/fonts`` (Atkinson Hyperlegible,
SIL Open Font License, from the npm package ``@fontsource/atkinson-hyperlegible``), served by each app itself at
``<its root>/fonts/<file>`` (:func:`font_routes`), an address that says nothing about where the package is
installed; no font is fetched from anywhere else. Code uses the system's monospace font, so no second family loads.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import gradio as gr
from gradio.themes.utils import colors
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from chatbot.settings import BrandSettings

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
FONTS = STATIC / "fonts"
FONT_ROUTE = "fonts"  # each app serves FONTS at <its root>/fonts/ (the patient chat /fonts/, the console /staff/fonts/)
SHIPPED_FONT = "Atkinson Hyperlegible"
SHIPPED_FILES = {  # (subset, weight) -> file; the browser loads a subset only when the page has its letters
    ("latin", 400): "atkinson-hyperlegible-latin-400-normal.woff2",
    ("latin", 700): "atkinson-hyperlegible-latin-700-normal.woff2",
    ("latin-ext", 400): "atkinson-hyperlegible-latin-ext-400-normal.woff2",
    ("latin-ext", 700): "atkinson-hyperlegible-latin-ext-700-normal.woff2",
}
UNICODE_RANGES = {
    "latin": "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,"
             "U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD",
    "latin-ext": "U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,"
                 "U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF",
}
FALLBACK_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif")
MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")

WHITE, PAGE_DARK = "#ffffff", "#0f172a"  # the light page and blocks; the dark theme's page (slate 900)
TEXT, SUBDUED = "#1e293b", "#475569"  # body text and secondary text on the light theme (slate 800, 600)
TEXT_DARK = "#f1f5f9"  # body text on the dark theme (slate 100)
TEXT_MIN, CONTROL_MIN = 4.5, 3.0
LOGO_TYPES = {"image/png", "image/jpeg", "image/webp", "image/svg+xml"}
LOGO_MAX_BYTES = 200_000


class BrandError(ValueError):
    """A brand setting the page can't use (a colour without enough contrast, with ``contrast=refuse``)."""


# --- colour -----------------------------------------------------------------------------------------
def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: str, other: str, amount: float) -> str:
    """``colour`` moved ``amount`` (0 to 1) of the way to ``other``."""
    return _hex(tuple(c + (o - c) * amount for c, o in zip(_rgb(colour), _rgb(other), strict=True)))  # type: ignore[arg-type]


def readable(colour: str, against: str, minimum: float) -> str:
    """``colour`` unchanged if it reaches ``minimum`` against ``against``, else the least darkened (on a light
    background) or lightened (on a dark one) version of it that does."""
    if contrast(colour, against) >= minimum:
        return colour
    target = "#000000" if luminance(against) > 0.18 else WHITE
    for step in range(1, 101):
        candidate = mix(colour, target, step / 100)
        if contrast(candidate, against) >= minimum:
            return candidate
    return target


def checked(what: str, colour: str, against: str, minimum: float, policy: str) -> str:
    """``readable`` with the brand's policy: adjusted and logged, or a ``BrandError`` naming the setting."""
    ratio = contrast(colour, against)
    if ratio >= minimum:
        return colour
    if policy == "refuse":
        raise BrandError(f"UPLIFTED_BRAND_PRIMARY_COLOR {colour} gives {what} a contrast of {ratio:.2f}:1 against "
                         f"{against}; it needs {minimum}:1. Pick a darker colour, or set "
                         "UPLIFTED_BRAND_CONTRAST=adjust to have it darkened.")
    fixed = readable(colour, against, minimum)
    verb = "darkened" if luminance(fixed) < luminance(colour) else "lightened"
    log.warning("Brand colour %s gives %s only %.2f:1 against %s (needs %s:1); %s to %s (%.2f:1).", colour, what,
                ratio, against, minimum, verb, fixed, contrast(fixed, against))
    return fixed


@dataclass(frozen=True)
class Palette:
    primary: str  # button fill under white text, links on white
    hover: str  # a button under the pointer
    soft: str  # the patient's own bubbles, under body text
    border: str  # control borders and the focus ring on white
    link_dark: str  # links and the focus ring on the dark theme
    soft_dark: str  # the patient's own bubbles on the dark theme, under its light text


def palette(brand: BrandSettings) -> Palette:
    return _palette(brand.primary_color, brand.contrast)


@lru_cache(maxsize=8)  # built for each app of the server: check (and log) once
def _palette(colour: str, policy: str) -> Palette:
    primary = checked("white text on buttons", colour, WHITE, TEXT_MIN, policy)
    soft = readable(mix(primary, WHITE, 0.88), TEXT, TEXT_MIN)
    return Palette(primary=primary, hover=mix(primary, "#000000", 0.15), soft=soft,
                   border=readable(primary, WHITE, CONTROL_MIN),
                   link_dark=checked("links on the dark theme", mix(primary, WHITE, 0.35), PAGE_DARK, TEXT_MIN,
                                     "adjust"),
                   soft_dark=readable(mix(primary, PAGE_DARK, 0.6), TEXT_DARK, TEXT_MIN))


def hue(p: Palette) -> colors.Color:
    """Gradio's 50..950 scale around the brand colour (500 is the colour itself)."""
    light = [mix(p.primary, WHITE, t) for t in (0.92, 0.84, 0.68, 0.5, 0.25)]
    dark = [mix(p.primary, "#000000", t) for t in (0.15, 0.3, 0.45, 0.6, 0.7)]
    shades = dict(zip(("c50", "c100", "c200", "c300", "c400", "c500", "c600", "c700", "c800", "c900", "c950"),
                      (*light, p.primary, *dark), strict=True))
    return colors.Color(**shades, name="brand")


# --- font and logo ----------------------------------------------------------------------------------
def font_url(name: str) -> str:
    """A shipped font file's address, relative to the theme's CSS (Gradio serves it at ``<the app's root>/theme.css``,
    so the file is fetched from ``<the app's root>/fonts/<name>``, under any mount and inside any frame)."""
    return f"{FONT_ROUTE}/{quote(name)}"


def font_routes() -> list[BaseRoute]:
    """The route serving ``static/fonts``, for a Gradio app's ``app_kwargs={"routes": ...}`` (``launch()`` and
    ``mount_gradio_app()`` hand them to its FastAPI app, ahead of Gradio's own routes). A new list each call:
    Gradio changes the ``app_kwargs`` it is given."""
    return [Mount(f"/{FONT_ROUTE}", app=StaticFiles(directory=FONTS), name=FONT_ROUTE)]


class ShippedFont(gr.themes.Font):
    """A family whose files ship in ``static/fonts`` (its ``@font-face`` rules go into the theme's CSS)."""

    def stylesheet(self) -> dict[str, str | None]:
        if self.name != SHIPPED_FONT:
            return {"url": None, "css": None}
        rules = [f"@font-face {{ font-family: '{SHIPPED_FONT}'; font-style: normal; font-weight: {weight}; "
                 f"font-display: swap; src: url('{font_url(name)}') format('woff2'); "
                 f"unicode-range: {UNICODE_RANGES[subset]}; }}" for (subset, weight), name in SHIPPED_FILES.items()]
        return {"url": None, "css": "\n".join(rules)}


def logo_src(logo: str | None) -> str | None:
    """The logo as an ``<img src>``: a file inlined as a data URL (so neither app serves a path), or an
    https address as it is. None without a logo; a ``BrandError`` for a file that can't be a logo."""
    if not logo:
        return None
    if urlsplit(logo).scheme == "https":
        return logo
    path = Path(logo).expanduser()
    kind = mimetypes.guess_type(path.name)[0]
    if kind not in LOGO_TYPES:
        raise BrandError(f"UPLIFTED_BRAND_LOGO {logo!r} must be a PNG, JPEG, WebP or SVG file or an https:// address")
    if not path.is_file():
        raise BrandError(f"UPLIFTED_BRAND_LOGO {logo!r}: no such file")
    data = path.read_bytes()
    if len(data) > LOGO_MAX_BYTES:
        raise BrandError(f"UPLIFTED_BRAND_LOGO {logo!r} is {len(data) // 1000} kB; keep it under "
                         f"{LOGO_MAX_BYTES // 1000} kB")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


# --- the theme ----------------------------------------------------------------------------------------
def build_theme(brand: BrandSettings) -> gr.themes.Base:
    """A calm, light theme in the clinic's colour and font; contrast-checked (see the module's doc)."""
    p = palette(brand)
    if brand.font != SHIPPED_FONT:
        log.info("UPLIFTED_BRAND_FONT %r is not shipped with the app: browsers use it only where it is installed.",
                 brand.font)
    theme = gr.themes.Base(
        primary_hue=hue(p), secondary_hue=hue(p), neutral_hue=colors.slate, radius_size="md", text_size="md",
        font=[ShippedFont(brand.font), *FALLBACK_FONTS], font_mono=list(MONO_FONTS),
    )
    return theme.set(
        body_background_fill=WHITE, body_text_color=TEXT, body_text_color_subdued=SUBDUED,
        background_fill_primary=WHITE, background_fill_secondary="*neutral_50",
        block_label_text_color=SUBDUED, block_title_text_color=TEXT, block_info_text_color=SUBDUED,
        input_placeholder_color="*neutral_500", input_border_color="*neutral_400",
        input_border_color_focus=p.border, input_background_fill=WHITE, input_border_width="1px",
        button_border_width="1px",
        link_text_color=p.primary, link_text_color_hover=p.hover, link_text_color_visited=p.primary,
        link_text_color_active=p.hover, link_text_color_dark=p.link_dark, link_text_color_hover_dark=p.link_dark,
        link_text_color_visited_dark=p.link_dark, link_text_color_active_dark=p.link_dark,
        color_accent=p.primary, color_accent_soft=p.soft, loader_color=p.primary, slider_color=p.primary,
        button_primary_background_fill=p.primary, button_primary_background_fill_hover=p.hover,
        button_primary_background_fill_dark=p.primary, button_primary_background_fill_hover_dark=p.hover,
        button_primary_text_color=WHITE, button_primary_text_color_dark=WHITE,
        button_primary_border_color=p.primary, button_primary_border_color_dark=p.primary,
        button_secondary_background_fill=WHITE, button_secondary_background_fill_hover="*neutral_100",
        button_secondary_text_color=TEXT, button_secondary_border_color="*neutral_400",
        button_large_text_weight="700", button_medium_text_weight="700", button_small_text_weight="700",
        checkbox_background_color_selected=p.primary, checkbox_border_color_selected=p.primary,
        checkbox_border_color="*neutral_500",
        prose_header_text_weight="700", block_title_text_weight="700", section_header_text_weight="700",
        shadow_drop="0 1px 2px rgba(15, 23, 42, 0.06)",
    )


def brand_css(brand: BrandSettings) -> str:
    """CSS custom properties the page's own CSS (``static/patient.css``) uses beside the theme."""
    p = palette(brand)
    return (f":root {{ --brand: {p.primary}; --brand-hover: {p.hover}; --brand-soft: {p.soft}; "
            f"--brand-ring: {p.border}; }}\n.dark {{ --brand-ring: {p.link_dark}; --brand-soft: {p.soft_dark}; }}\n")
