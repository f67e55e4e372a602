"""Waveform peaks of a media file's audio: ffmpeg decodes it, we keep the lowest and highest sample of
every 10 ms. Plain Python, no Django (bench/peaks.py runs it bare).

The result is written in BBC audiowaveform's binary .dat format, version 1, 8-bit
(https://github.com/bbc/audiowaveform/blob/master/doc/DAT.md): a 20-byte little-endian header
(version 1, flags 1 = 8-bit, sample rate, samples per pixel, number of min/max pairs) and then one signed
byte min and one signed byte max per pixel. Why this format: 2 bytes per 10 ms (1.4 MB for a 2-hour
film, less gzipped) where a JSON array costs 3 to 4 times that to send and to parse; peaks.js and its
waveform-data library read it as it is, and for wavesurfer.js it is one `Int8Array` view away
(value / 128 gives the -1…1 peaks its `peaks` option takes).

Memory stays bounded whatever the file's length: the decoded audio streams through a pipe in fixed
chunks and only the peaks (2 bytes per 10 ms) are kept. ffmpeg resamples to 16 kHz mono unsigned 8-bit
samples: the .dat keeps 8 bits anyway, and Python's C-level min()/max() over a bytes slice then find each
pixel's peaks several hundred times faster than real time without numpy.
"""

import json
import logging
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass

logger = logging.getLogger("dubweb.waveforms")

SAMPLE_RATE = 16_000
PEAKS_PER_SECOND = 100  # fine enough for a 10 ms zoom
SAMPLES_PER_PIXEL = SAMPLE_RATE // PEAKS_PER_SECOND
HEADER = struct.Struct("<iIiiI")  # version, flags, sample rate, samples per pixel, length (pairs)
VERSION = 1
FLAG_8_BIT = 1
CHUNK_PIXELS = 4096  # 655 KB of decoded audio per read
# ffmpeg's unsigned samples (128 = silence) to the format's signed bytes: flip the top bit.
_UNSIGNED_TO_SIGNED = bytes((value ^ 0x80) for value in range(256))
# A decode that stops this far before the length the container declares is a truncated file.
TRUNCATION_TOLERANCE_S = 1.0


class PeaksError(Exception):
    """The peaks could not be computed; the message is for people."""


@dataclass(frozen=True)
class Probe:
    duration_s: float | None
    sample_rate: int | None


@dataclass(frozen=True)
class Peaks:
    pixels: int
    duration_ms: int
    source_sample_rate: int | None


def tools():
    """Paths of ffmpeg and ffprobe; PeaksError when the server lacks them."""
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if not (ffmpeg and ffprobe):
        raise PeaksError("ffmpeg is not installed on the server, so no waveform can be drawn.")
    return ffmpeg, ffprobe


def probe(path, *, timeout_s=60):
    """The file's duration and its first audio stream's sample rate; PeaksError when the file cannot be
    read or has no audio."""
    _, ffprobe = tools()
    command = [ffprobe, "-v", "error", "-show_entries", "stream=codec_type,sample_rate:format=duration"]
    try:
        done = subprocess.run(  # noqa: S603 (fixed program, the path is an argument, no shell)
            [*command, "-of", "json", "--", str(path)], capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise PeaksError(f"Reading the file took longer than {timeout_s:g} s.") from None
    info = json.loads(done.stdout or b"{}") if done.returncode == 0 else {}
    streams = info.get("streams", [])
    audio = [stream for stream in streams if stream.get("codec_type") == "audio"]
    if not audio:
        # A damaged file can still list a stray stream: with ffprobe's complaints it is unreadable, not silent.
        if done.stderr.strip() or not any(stream.get("codec_type") == "video" for stream in streams):
            logger.info("ffprobe could not read %s: %s", path, done.stderr[-500:])
            raise PeaksError(
                "The file could not be read as video or audio (it may be truncated or in an unknown format)."
            )
        raise PeaksError("This video has no audio track.")
    return Probe(
        duration_s=_number(info.get("format", {}).get("duration"), float),
        sample_rate=_number(audio[0].get("sample_rate"), int),
    )


def _number(value, kind):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def compute(path, out, *, timeout_s=900, on_started=None):
    """Write the .dat peaks of the first audio stream of the file at `path` into the seekable binary
    file `out`. Returns Peaks; raises PeaksError with the reason (no audio, unreadable, truncated, too slow)."""
    started = time.monotonic()
    found = probe(path, timeout_s=min(timeout_s, 60))
    ffmpeg, _ = tools()
    command = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-map", "0:a:0",
               "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "u8", "-"]  # fmt: skip
    out.seek(0)
    out.truncate()
    out.write(HEADER.pack(VERSION, FLAG_8_BIT, SAMPLE_RATE, SAMPLES_PER_PIXEL, 0))
    samples = 0
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty ffmpeg cannot block on it
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603
        if on_started:
            on_started(process)
        try:
            samples = _stream_peaks(process.stdout, out, deadline=started + timeout_s)
            process.wait(timeout=max(1, started + timeout_s - time.monotonic()))
        except (PeaksError, subprocess.TimeoutExpired) as error:
            process.kill()
            process.wait()
            if isinstance(error, PeaksError):
                raise
            raise PeaksError(f"Computing the waveform took longer than {timeout_s:g} s.") from None
        finally:
            process.stdout.close()
        errors.seek(0)
        complaint = errors.read()[-2000:].decode("utf-8", "replace").strip()
    decoded_s = samples / SAMPLE_RATE
    if process.returncode != 0:
        logger.info("ffmpeg failed on %s: %s", path, complaint)
        raise PeaksError("The audio could not be decoded (the file may be damaged or truncated).")
    if samples == 0:
        raise PeaksError("The audio track is empty.")
    if found.duration_s and decoded_s < found.duration_s - TRUNCATION_TOLERANCE_S:
        raise PeaksError(
            f"The file ends early: only {decoded_s:.1f} s of its {found.duration_s:.1f} s could be decoded "
            "(it may be truncated)."
        )
    pixels = -(-samples // SAMPLES_PER_PIXEL)
    out.seek(0)
    out.write(HEADER.pack(VERSION, FLAG_8_BIT, SAMPLE_RATE, SAMPLES_PER_PIXEL, pixels))
    out.seek(0, 2)
    return Peaks(pixels=pixels, duration_ms=round(decoded_s * 1000), source_sample_rate=found.sample_rate)


def _stream_peaks(pipe, out, *, deadline):
    """Read unsigned 8-bit samples from `pipe` until it ends, write each pixel's min and max; returns the
    number of samples read."""
    chunk_bytes = SAMPLES_PER_PIXEL * CHUNK_PIXELS
    samples = 0
    carry = b""
    while True:
        chunk = pipe.read(chunk_bytes)
        if not chunk:
            break
        if time.monotonic() > deadline:
            raise PeaksError("Computing the waveform took too long.")
        samples += len(chunk)
        if carry:
            chunk = carry + chunk
        whole = len(chunk) - len(chunk) % SAMPLES_PER_PIXEL
        out.write(_pixels(chunk, whole))
        carry = chunk[whole:]
    if carry:
        out.write(_pixels(carry, len(carry)))
    return samples


def _pixels(chunk, end):
    pairs = bytearray()
    step = SAMPLES_PER_PIXEL
    for start in range(0, end, step):
        window = chunk[start : start + step]
        pairs.append(min(window))
        pairs.append(max(window))
    return bytes(pairs).translate(_UNSIGNED_TO_SIGNED)


def read_header(data):
    """(sample rate, samples per pixel, pairs) of .dat bytes (tests and the bench read them back)."""
    version, flags, sample_rate, samples_per_pixel, length = HEADER.unpack_from(data)
    if version != VERSION or not flags & FLAG_8_BIT:
        raise ValueError("not an 8-bit version 1 .dat file")
    return sample_rate, samples_per_pixel, length
