"""Settings of one `ecsd serve`, from flags or the matching ECSD_* environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4600
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("ecsd"))


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Path(".")
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT

    @property
    def database(self) -> Path:
        return self.data_dir / "ecsd.db"
