"""Playable output files for the sandbox: a WAV tone track, muxed with the source video when possible.

The WAV is written with the standard `wave` module, so it always works. An MP4 is made only when `ffmpeg`
is on PATH and the source video is a file of this app's static folders; otherwise the WAV stands in.
"""

import math
import os
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

SAMPLE_RATE = 16000
TONE_HZ = 400  # 40 samples a period at 16 kHz: the tone is built from one repeated period.
AMPLITUDE = 6000


def output_dir():
    path = Path(settings.MEDIA_ROOT) / "sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_static_file(url):
    """The file under STATICFILES_DIRS that a `/static/...` URL (absolute or not) names, or None."""
    path = unquote(urlsplit(url or "").path)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    for folder in settings.STATICFILES_DIRS:
        root = Path(folder).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def can_mux(source_url):
    return shutil.which("ffmpeg") is not None and local_static_file(source_url) is not None


def source_duration_s(source_url):
    """The source video's length: probed with ffprobe for a local file, else SANDBOX_DEFAULT_DURATION_S."""
    default = float(getattr(settings, "SANDBOX_DEFAULT_DURATION_S", 30.0))
    path = local_static_file(source_url)
    if path is None or shutil.which("ffprobe") is None:
        return default
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path],
            capture_output=True,
            text=True,
            timeout=15,
            check=True,
        )
        return max(1.0, float(result.stdout.strip()))
    except (subprocess.SubprocessError, ValueError, OSError):
        return default


def tone_spans(duration_s, segments):
    """Where the tone sounds: the script segments (in seconds), or 0.8 s beeps every second without one."""
    if segments:
        return [(s["start_ms"] / 1000, s["end_ms"] / 1000) for s in segments]
    return [(float(t), t + 0.8) for t in range(int(math.ceil(duration_s)))]


def write_wav(path, duration_s, segments=()):
    """A mono 16-bit WAV of `duration_s` seconds, a soft tone during each span, silence elsewhere."""
    total = int(duration_s * SAMPLE_RATE)
    period = SAMPLE_RATE // TONE_HZ
    one_period = b"".join(
        struct.pack("<h", int(AMPLITUDE * math.sin(2 * math.pi * i / period))) for i in range(period)
    )
    samples = bytearray(total * 2)
    for start_s, end_s in tone_spans(duration_s, segments):
        start = max(0, int(start_s * SAMPLE_RATE)) // period * period
        end = min(total, int(end_s * SAMPLE_RATE))
        if end > start:
            tone = (one_period * ((end - start) // period + 1))[: (end - start) * 2]
            samples[start * 2 : end * 2] = tone
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(samples))


def mux_mp4(path, video, audio):
    """Write `video`'s picture with `audio` as its only sound track; False when ffmpeg fails."""
    command = ["ffmpeg", "-y", "-v", "error", "-i", str(video), "-i", str(audio)]
    command += ["-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-shortest", str(path)]
    try:
        subprocess.run(command, capture_output=True, timeout=120, check=True)
        return True
    except (subprocess.SubprocessError, OSError):
        return False


def _atomic(path, write):
    """Run write(tmp) and move the result into place, so a half-written file is never served."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(fd)
    try:
        if write(Path(tmp)) is False:
            return False
        os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure_output(name, duration_s, source_url, segments=()):
    """Generate the output file `name` (once) and return its path; a .mp4 falls back to the WAV."""
    folder = output_dir()
    path = folder / name
    if path.exists():
        return path
    wav = folder / (Path(name).stem + ".wav") if path.suffix == ".mp4" else path
    if not wav.exists():
        _atomic(wav, lambda tmp: write_wav(tmp, duration_s, segments))
    if path.suffix != ".mp4":
        return wav
    source = local_static_file(source_url)
    if source is not None and shutil.which("ffmpeg") and _atomic(path, lambda tmp: mux_mp4(tmp, source, wav)):
        return path
    return wav
