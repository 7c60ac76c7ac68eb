"""PDF output: HTML template → WeasyPrint → PDF with embedded CJK fonts.

Shared by every printed document of the platform: the service guide (catalog) and the
notices the office issues on a case (cases.documents).

Why WeasyPrint: the documents already exist as HTML templates, and WeasyPrint (Pango/HarfBuzz)
embeds a subset of every font it uses, so the PDF shows the same glyphs in every viewer.
An un-embedded CID font (STSong-Light and the like) shows blank in many viewers: never used.

Fonts are located by path, never assumed: ``FONT_CANDIDATES`` lists the free CJK fonts we
know (Noto CJK / Source Han / WenQuanYi / AR PL / Zhuque Fangsong) and the directories
searched are ``DEFAULT_FONT_DIRS`` plus the setting ``BANHAO_PDF_FONT_DIRS`` (a list of
directories; fonts found there are registered with fontconfig for the render, so a deployment
may ship its own OFL fonts without installing them system-wide). The official document look
(GB/T 9704) wants a Song-style bold title, 黑体 headings and a FangSong-style body: we use
Noto Serif CJK (Song) for the title, Noto Sans CJK (Hei) for the headings and the OFL
朱雀仿宋 (Zhuque Fangsong) for a notice's body when it is there (else the Song face), and
whatever CJK family was found otherwise.

When WeasyPrint or its system libraries (Pango) are missing, or no CJK font is found,
`PdfUnavailable` is raised with a Chinese message: the views answer 503, never 500.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
# WeasyPrint reports each rendering step at INFO: noise in the server log, unless asked for.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Debian/Ubuntu (fonts-noto-cjk, fonts-wqy-*, fonts-arphic-*), Fedora and Alpine locations.
DEFAULT_FONT_DIRS = [
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/google-noto-serif-cjk-fonts",
    "/usr/share/fonts/google-noto-sans-cjk-fonts",
    "/usr/share/fonts/opentype/source-han-sans",
    "/usr/share/fonts/opentype/source-han-serif",
    "/usr/share/fonts/adobe-source-han-sans",
    "/usr/share/fonts/adobe-source-han-serif",
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/wqy-zenhei",
    "/usr/share/fonts/wqy-microhei",
    "/usr/share/fonts/truetype/arphic",
    "/usr/share/fonts/truetype/zhuque",
    "/usr/share/fonts/zhuque",
]


@dataclass(frozen=True)
class FontFace:
    path: Path
    family: str  # the fontconfig family name that selects the Simplified Chinese face
    kind: str  # "serif" (Song/Ming style), "sans" (Hei style) or "fangsong" (仿宋)
    bold: bool


# (file name, family, kind, bold), most wanted first within each kind.
FONT_CANDIDATES = [
    ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", "serif", True),
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "serif", False),
    ("NotoSerifCJKsc-Bold.otf", "Noto Serif CJK SC", "serif", True),
    ("NotoSerifCJKsc-Regular.otf", "Noto Serif CJK SC", "serif", False),
    ("SourceHanSerifSC-Bold.otf", "Source Han Serif SC", "serif", True),
    ("SourceHanSerifSC-Regular.otf", "Source Han Serif SC", "serif", False),
    ("uming.ttc", "AR PL UMing CN", "serif", False),
    ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "sans", True),
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "sans", False),
    ("NotoSansCJKsc-Bold.otf", "Noto Sans CJK SC", "sans", True),
    ("NotoSansCJKsc-Regular.otf", "Noto Sans CJK SC", "sans", False),
    ("SourceHanSansSC-Bold.otf", "Source Han Sans SC", "sans", True),
    ("SourceHanSansSC-Regular.otf", "Source Han Sans SC", "sans", False),
    ("wqy-zenhei.ttc", "WenQuanYi Zen Hei", "sans", False),
    ("wqy-microhei.ttc", "WenQuanYi Micro Hei", "sans", False),
    # 朱雀仿宋 (OFL): the FangSong face of a notice's body; never the first choice elsewhere.
    ("ZhuqueFangsong-Regular.ttf", "Zhuque Fangsong (technical preview)", "fangsong", False),
]


class PdfUnavailable(Exception):
    """PDF output cannot work on this server (library or fonts missing). The message is Chinese."""


def _extra_dirs() -> tuple[str, ...]:
    return tuple(str(d) for d in getattr(settings, "BANHAO_PDF_FONT_DIRS", []) or [])


@functools.lru_cache(maxsize=8)
def _find_fonts(dirs: tuple[str, ...]) -> tuple[FontFace, ...]:
    wanted = {name.lower(): (family, kind, bold) for name, family, kind, bold in FONT_CANDIDATES}
    found: dict[str, FontFace] = {}
    for d in dirs:
        root = Path(d)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            key = path.name.lower()
            if key in wanted and key not in found and path.is_file():
                family, kind, bold = wanted[key]
                found[key] = FontFace(path=path, family=family, kind=kind, bold=bold)
    order = [name.lower() for name, *_ in FONT_CANDIDATES]
    return tuple(sorted(found.values(), key=lambda f: order.index(f.path.name.lower())))


def find_fonts() -> tuple[FontFace, ...]:
    """Every known CJK font file present, in order of preference."""
    return _find_fonts((*_extra_dirs(), *DEFAULT_FONT_DIRS))


def font_stacks() -> dict[str, str]:
    """CSS font-family values for the title, the headings and the body text.

    Raises PdfUnavailable when there is no CJK font at all.
    """
    fonts = find_fonts()
    if not fonts:
        raise PdfUnavailable(
            "服务器未安装可嵌入的中文字体（如 Noto CJK），暂时无法生成PDF。请联系系统管理员安装 fonts-noto-cjk。"
        )
    serif = next((f.family for f in fonts if f.kind == "serif"), None)
    sans = next((f.family for f in fonts if f.kind == "sans"), None)
    fangsong = next((f.family for f in fonts if f.kind == "fangsong"), None)
    any_family = next((f.family for f in fonts if f.kind != "fangsong"), fonts[0].family)

    def stack(*families):
        names = list(dict.fromkeys(f for f in families if f))
        return ", ".join(f'"{n}"' for n in names) + ", sans-serif"

    return {
        "title": stack(serif, sans, any_family),  # 小标宋-like: Song, bold
        "heading": stack(sans, serif, any_family),  # 黑体 headings
        "body": stack(serif, sans, any_family),  # FangSong is not free: Song body
        # Tables in the body face too: every face used adds its font program to the file
        # (WeasyPrint keeps glyph ids, so a CJK subset still weighs ~150 KB compressed).
        "table": stack(serif, sans, any_family),
        # A notice's body (GB/T 9704: 仿宋): FangSong when installed, else the Song face.
        "fangsong": stack(fangsong, serif, sans, any_family),
    }


@functools.lru_cache(maxsize=1)
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz shared libraries missing
        logger.warning("WeasyPrint unavailable: %s", exc)
        return None
    return weasyprint


def check_available() -> None:
    """Raises PdfUnavailable unless a PDF can be rendered here."""
    if _weasyprint() is None:
        raise PdfUnavailable(
            "服务器缺少PDF生成组件（WeasyPrint 及其依赖的 Pango 库），暂时无法生成PDF。请联系系统管理员。"
        )
    font_stacks()


def _font_config(weasyprint):
    """A font configuration that also knows the fonts of BANHAO_PDF_FONT_DIRS."""
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    extra = _extra_dirs()
    if extra:
        # The system directories are already known to fontconfig; files in the extra ones are
        # added for this render only (WeasyPrint's own FFI handles: no public API for this).
        from weasyprint.text.ffi import ffi, fontconfig, pangoft2

        added = False
        for face in _find_fonts(extra):
            added |= bool(fontconfig.FcConfigAppFontAddFile(config._config, str(face.path).encode()))
        if added:
            pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
    return config


def _url_fetcher():
    """Only data: URLs (the inline QR code): a PDF never fetches from the network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_pdf(html: str) -> bytes:
    """The PDF of a complete HTML document (its own <style> included)."""
    check_available()
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_url_fetcher())
    return document.write_pdf(font_config=_font_config(weasyprint))
