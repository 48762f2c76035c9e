"""One settings object, read from ``UPLIFTED_*`` environment variables at the edge."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge_base.config import KnowledgeBaseConfig

# A web origin as CSP's frame-ancestors takes it: http(s), a host (a leading "*." for every subdomain), a port.
_HOST = re.compile(r"(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?|\[[0-9a-f:.]+\]")


def web_origin(value: str) -> str:
    """``value`` as a normalised origin (``https://www.clinic.example``), or a ValueError that says what is wrong."""
    text = value.strip().rstrip("/").lower()
    bad = f"{value.strip()!r} is not a web origin"
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError for a port that isn't a number in 0..65535
        if port == 0:
            raise ValueError
    except ValueError:
        raise ValueError(f"{bad}: its port is not a number from 1 to 65535") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{bad}: write the scheme and the host, like https://www.clinic.example")
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{bad}: give only the scheme, the host and an optional port, with no path or user name")
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if not _HOST.fullmatch(host):
        raise ValueError(f"{bad}: {host!r} is not a host name (a leading '*.' allows every subdomain)")
    return text


class ClinicProfile(BaseSettings):
    """Facts about the clinic. They come from settings, never from code or a model."""

    model_config = SettingsConfigDict(env_prefix="UPLIFTED_CLINIC_", extra="ignore")

    name: str = "Uplifted Physical Therapy"
    booking_url: str = "https://uplifted.example/book"
    phone: str = "(555) 010-0000"
    emergency_number: str = "911"
    crisis_line: str = "988"
    # The clinic's privacy page, linked from the chat's contact form ("Ask us to call you").
    privacy_url: str = "https://uplifted.example/privacy"
    # Answers to patients' questions about the clinic, in the clinic's own words; None: "please call us".
    # Staff keep them in $UPLIFTED_DATA_DIR/clinic.yaml (`uplifted clinic edit`).
    address: str | None = None
    hours: str | None = None
    parking: str | None = None
    insurance: str | None = None
    prices: str | None = None
    first_visit: str | None = None
    cancellation: str | None = None
    referral: str | None = None
    accessibility: str | None = None
    languages: str | None = None


class BrandSettings(BaseSettings):
    """How the patient page looks: the clinic's logo, colour and font (the name is ``UPLIFTED_CLINIC_NAME``).

    The colour is checked for contrast when the page is built (``chatbot.web.theme``): below 4.5:1 against
    white text it is darkened (and the log says so), or refused with ``UPLIFTED_BRAND_CONTRAST=refuse``."""

    model_config = SettingsConfigDict(env_prefix="UPLIFTED_BRAND_", extra="ignore")

    # A PNG, JPEG, WebP or SVG file (up to 200 kB, shown inline) or an https:// address (fetched by the browser).
    logo: str | None = None
    primary_color: str = "#0f6e6a"
    # The app ships Atkinson Hyperlegible (regular and bold); any other family is used only where it is installed.
    font: str = "Atkinson Hyperlegible"
    contrast: Literal["adjust", "refuse"] = "adjust"

    @field_validator("primary_color")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        text = value.strip().lower()
        if not re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", text):
            raise ValueError(f"{value!r} is not a colour like #0f6e6a (UPLIFTED_BRAND_PRIMARY_COLOR)")
        return "#" + "".join(c * 2 for c in text[1:]) if len(text) == 4 else text

    @field_validator("font")
    @classmethod
    def _font_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9 -]{1,60}", value.strip()):
            raise ValueError(f"{value!r} is not a font family name (letters, digits, spaces, hyphens)")
        return value.strip()


class Settings(BaseSettings):
    """Everything the assistant needs, with every path under one data root."""

    model_config = SettingsConfigDict(env_prefix="UPLIFTED_", extra="ignore")

    data_dir: Path = Path("data")
    articles_dir: Path = Path("knowledge_base/articles")
    articles_base_url: str = "https://uplifted.example/articles/"

    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    collection: str = "articles"

    embedding_model_path: Path | None = None
    embedding_batch_size: int = Field(default=64, gt=0)

    chunk_size: int = Field(default=700, gt=100)
    chunk_overlap: int = Field(default=0, ge=0)
    max_article_bytes: int = Field(default=5_000_000, gt=0)
    # Seconds a change to the knowledge base waits for another one (a sync, publish or remove) to finish.
    kb_write_wait_s: float = Field(default=30.0, ge=0)

    retention_days: int = Field(default=90, gt=0)
    booking_retention_days: int = Field(default=30, gt=0)

    max_message_chars: int = Field(default=2000, ge=10)
    rate_limit_per_minute: int = Field(default=12, gt=0)
    # Per client (the socket's address, or the first untrusted address in X-Forwarded-For behind a trusted proxy),
    # whatever session ids it sends; and booking requests per client per hour.
    client_rate_limit_per_minute: int = Field(default=30, gt=0)
    booking_limit_per_hour: int = Field(default=5, gt=0)
    # Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses or networks (10.0.0.0/8).
    # Unset: none, so the client is the socket's address (a header anyone can send names no one).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    retrieval_k: int = Field(default=4, gt=0)
    # The learned map that moves a patient's question toward the articles that answer it before the search
    # (chatbot/query_adapter.py, built by `make models`); false searches with the bundled model alone.
    query_adapter: bool = True
    no_match_threshold: float = Field(default=0.45, gt=0, lt=1)
    llm_timeout_s: float = Field(default=20.0, gt=0)
    # PyTorch threads for `uplifted serve`: 1 keeps query encoding fast when other work shares the CPU.
    serve_torch_threads: int = Field(default=1, gt=0)
    # Seconds `uplifted serve` waits, once told to stop (Ctrl+C, SIGTERM), for open requests before closing them:
    # an open patient page holds a stream that never ends on its own.
    serve_shutdown_timeout_s: int = Field(default=5, gt=0)
    # Operations (README "Operations"): Prometheus metrics at /metrics (off: 404), the log format, and how long
    # /readyz waits for each dependency (database, vector store, embedding model) before calling it not ready.
    metrics_enabled: bool = False
    log_format: Literal["text", "json"] = "text"
    ready_timeout_s: float = Field(default=2.0, gt=0, le=30)

    llm: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None

    # Staff console logins: JSON {"name": "<hash from `uplifted staff hash-password`>"}; also see staff_users_path.
    staff_users: dict[str, str] = Field(default_factory=dict)
    # A console session unused this long must log in again.
    staff_idle_timeout_minutes: int = Field(default=30, gt=0)
    # Signs the console's session cookies (16+ characters; the same on every server process). Unset: a random key
    # per process, so logins end on restart.
    secret_key: SecretStr | None = None

    clinic: ClinicProfile = Field(default_factory=ClinicProfile)
    brand: BrandSettings = Field(default_factory=BrandSettings)

    # Web sites allowed to show the chat in a frame (/embed.js, or an iframe): comma-separated origins,
    # e.g. "https://www.clinic.example,https://clinic.example". Unset: only this server's own pages may frame it.
    embed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("articles_base_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("embed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return list(dict.fromkeys(web_origin(str(v)) for v in value if str(v).strip()))
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            found = []
            for item in (str(v).strip() for v in value if str(v).strip()):
                try:
                    found.append(str(ipaddress.ip_network(item, strict=False)))
                except ValueError:
                    raise ValueError(f"{item!r} is not an IP address or network like 10.0.0.0/8 "
                                     "(UPLIFTED_TRUSTED_PROXIES)") from None
            return list(dict.fromkeys(found))
        return value

    @property
    def catalog_path(self) -> Path:
        """The knowledge base's catalog, where the clinic profile's edits are audited too (where it lives is
        the knowledge base's decision: KnowledgeBaseConfig)."""
        return self.knowledge_base_config().catalog_path

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / "conversations.sqlite"

    @property
    def staff_users_path(self) -> Path:
        """Logins kept by `uplifted staff add-user` (names and password hashes, mode 0600)."""
        return self.data_dir / "staff-users.json"

    @property
    def evals_dir(self) -> Path:
        """Eval runs started from the staff console (each compared with the one before)."""
        return self.data_dir / "evals"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def knowledge_base_config(self) -> KnowledgeBaseConfig:
        """What the knowledge base takes from these settings (it reads no settings of its own)."""
        return KnowledgeBaseConfig(
            data_dir=self.data_dir, articles_base_url=self.articles_base_url, chroma_host=self.chroma_host,
            chroma_port=self.chroma_port, chroma_ssl=self.chroma_ssl, collection=self.collection,
            embedding_model_path=self.embedding_model_path, embedding_batch_size=self.embedding_batch_size,
            chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, max_article_bytes=self.max_article_bytes,
            write_wait_s=self.kb_write_wait_s,
        )
