"""MS-OVBA 2.4.1 compression: the LZ77 variant used by the ``dir`` and module streams.

A CompressedContainer is the signature byte 0x01 followed by chunks; each chunk
holds at most 4096 decompressed bytes and starts with a 2-byte header
(bits 0-11: chunk size - 3, bits 12-14: 0b011, bit 15: 1 = compressed).
A compressed chunk is a series of TokenSequences: one flag byte, then up to
eight tokens, a literal byte (flag bit 0) or a 2-byte CopyToken (flag bit 1)
whose split between offset and length bits depends on how far into the chunk
the token is (2.4.1.3.19.1 CopyToken Help).
"""

from __future__ import annotations

import struct

CHUNK_SIZE = 4096
_SIGNATURE = 0x01
_MIN_MATCH = 3
#: How many earlier positions with the same 3-byte prefix to try per token.
#: Only affects the compression ratio, never correctness.
_MAX_CANDIDATES = 256


def _copy_token_help(difference: int) -> tuple[int, int]:
    """Return (bit_count, maximum_length) for a CopyToken at ``difference`` bytes into a chunk.

    ``difference`` is DecompressedCurrent - DecompressedChunkStart (>= 1).
    """
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    """Token sequences for one chunk (without the chunk header)."""
    out = bytearray()
    end = len(chunk)
    pos = 0
    heads: dict[bytes, list[int]] = {}

    def remember(start: int, stop: int) -> None:
        for i in range(start, min(stop, end - _MIN_MATCH + 1)):
            heads.setdefault(chunk[i : i + _MIN_MATCH], []).append(i)

    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            bit_count, max_length = _copy_token_help(pos)
            best_length = 0
            best_candidate = 0
            if pos + _MIN_MATCH <= end:
                limit = min(max_length, end - pos)
                candidates = heads.get(chunk[pos : pos + _MIN_MATCH], [])
                # Nearest first, as in 2.4.1.3.19.4 (ties keep the nearest).
                for candidate in reversed(candidates[-_MAX_CANDIDATES:]):
                    length = _MIN_MATCH
                    while length < limit and chunk[candidate + length] == chunk[pos + length]:
                        length += 1
                    if length > best_length:
                        best_length = length
                        best_candidate = candidate
                        if length == limit:
                            break
            if best_length >= _MIN_MATCH:
                offset = pos - best_candidate
                token = ((offset - 1) << (16 - bit_count)) | (best_length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                remember(pos, pos + best_length)
                pos += best_length
            else:
                out.append(chunk[pos])
                remember(pos, pos + 1)
                pos += 1
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (2.4.1.3.6).

    A chunk whose tokens would need more than 4096 bytes is stored raw
    (2.4.1.3.10). The spec pads a raw chunk to 4096 bytes with zeros, so
    decompressing gives ``data`` back followed by that padding when (and only
    when) the *last* chunk is both shorter than 4096 bytes and incompressible;
    text never is (see :func:`padding_free`).
    """
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        chunk = data[start : start + CHUNK_SIZE]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK_SIZE:
            header = 0xB000 | (len(body) + 2 - 3)  # flag 1, signature 0b011
        else:
            body = chunk + bytes(CHUNK_SIZE - len(chunk))
            header = 0x3000 | (CHUNK_SIZE + 2 - 3)  # flag 0, signature 0b011
        out += struct.pack("<H", header)
        out += body
    return bytes(out)


def padding_free(data: bytes) -> bool:
    """True when ``decompress(compress(data)) == data`` exactly (no raw-chunk padding)."""
    tail = len(data) % CHUNK_SIZE
    if tail == 0:
        return True
    return len(_compress_chunk(data[-tail:])) <= CHUNK_SIZE


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1); raises ValueError if malformed."""
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not an MS-OVBA compressed container (signature byte != 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError("truncated chunk header")
        (header,) = struct.unpack_from("<H", container, pos)
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad chunk signature at offset {pos}")
        chunk_end = pos + size
        if chunk_end > len(container):
            raise ValueError(f"chunk at offset {pos} runs past the end of the container")
        pos += 2
        if not header & 0x8000:
            if size != CHUNK_SIZE + 2:
                raise ValueError("raw chunk must hold exactly 4096 bytes")
            out += container[pos:chunk_end]
            pos = chunk_end
            continue
        chunk_start = len(out)
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError("truncated copy token")
                (token,) = struct.unpack_from("<H", container, pos)
                pos += 2
                difference = len(out) - chunk_start
                if difference < 1:
                    raise ValueError("copy token at the start of a chunk")
                bit_count, _ = _copy_token_help(difference)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                if offset > difference:
                    raise ValueError("copy token points before the start of its chunk")
                source = len(out) - offset
                for i in range(length):  # may overlap the bytes being written
                    out.append(out[source + i])
        if len(out) - chunk_start > CHUNK_SIZE:
            raise ValueError("chunk decompresses to more than 4096 bytes")
    return bytes(out)
