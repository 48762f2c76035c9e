"""One settings object, read from ``UPLIFTED_*`` environment variables at the edge."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClinicProfile(BaseSettings):
    """Facts about the clinic. They come from settings, never from code or a model."""

    model_config = SettingsConfigDict(env_prefix="UPLIFTED_CLINIC_", extra="ignore")

    name: str = "Uplifted Physical Therapy"
    booking_url: str = "https://uplifted.example/book"
    phone: str = "(555) 010-0000"
    emergency_number: str = "911"
    crisis_line: str = "988"
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

    retention_days: int = Field(default=90, gt=0)

    max_message_chars: int = Field(default=2000, ge=10)
    rate_limit_per_minute: int = Field(default=12, gt=0)
    retrieval_k: int = Field(default=4, gt=0)
    no_match_threshold: float = Field(default=0.45, gt=0, lt=1)
    llm_timeout_s: float = Field(default=20.0, gt=0)
    # PyTorch threads for `uplifted serve`: 1 keeps query encoding fast when other work shares the CPU.
    serve_torch_threads: int = Field(default=1, gt=0)

    llm: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None

    # Staff console logins: JSON {"name": "<hash from `uplifted staff hash-password`>"}; also see staff_users_path.
    staff_users: dict[str, str] = Field(default_factory=dict)

    clinic: ClinicProfile = Field(default_factory=ClinicProfile)

    @field_validator("articles_base_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def records_path(self) -> Path:
        return self.data_dir / "records.sqlite"

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
