"""Playable output files for the sandbox: a dub-like voice track, muxed with the source video when possible.

With `espeak-ng` on PATH the track speaks each line of the script (in the target language, a masculine or
feminine voice, sped up to fit its slot) where the line is timed; a ModelsLab dub, which has no script,
says one sentence every few seconds. Without espeak-ng, a tone sounds during each line: the WAV is written
with the standard `wave` module, so that always works. An MP4 is made only when `ffmpeg` is on PATH and the
source video is a file of this app's static folders; otherwise the WAV stands in.
"""

import array
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
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


def ensure_output(name, duration_s, source_url, segments=(), *, language="en", styles=None):
    """Generate the output file `name` (once) and return its path; a .mp4 falls back to the WAV.

    `segments` are script lines (start_ms, end_ms, text, speaker_id); `styles` maps a speaker id to
    masculine/feminine. Without segments the track says a sentence in `language` every few seconds."""
    folder = output_dir()
    path = folder / name
    if path.exists():
        return path
    wav = folder / (Path(name).stem + ".wav") if path.suffix == ".mp4" else path
    if not wav.exists():
        lines = list(segments) or filler_lines(duration_s, language)
        spoken = _atomic(wav, lambda tmp: write_speech_wav(tmp, duration_s, lines, language, styles or {}))
        if not spoken:
            _atomic(wav, lambda tmp: write_wav(tmp, duration_s, segments))
    if path.suffix != ".mp4":
        return wav
    source = local_static_file(source_url)
    if source is not None and shutil.which("ffmpeg") and _atomic(path, lambda tmp: mux_mp4(tmp, source, wav)):
        return path
    return wav


# --- speech (espeak-ng) ----------------------------------------------------------------------------------

SPEECH_RATE_WPM = 175
MAX_RATE_WPM = 370  # faster than this is no longer speech
FILLER_EVERY_S = 6
SILENCE = 400  # 16-bit amplitude under which espeak-ng's output counts as silence
FILLER = {
    "en": "This is a sandbox dub.",
    "fr": "Ceci est un doublage de test.",
    "es": "Esto es un doblaje de prueba.",
    "de": "Dies ist eine Testsynchronisation.",
    "it": "Questo è un doppiaggio di prova.",
    "pt": "Esta é uma dublagem de teste.",
    "ja": "これはテストの吹き替えです。",
    "hi": "यह एक परीक्षण डबिंग है।",
    "ar": "هذه دبلجة تجريبية.",
    "ru": "Это тестовый дубляж.",
    "zh": "这是测试配音。",
}


def filler_lines(duration_s, language):
    text = FILLER.get(language.split("-")[0].lower(), FILLER["en"])
    starts = range(1000, int(duration_s * 1000) - 2000, FILLER_EVERY_S * 1000)
    return [{"start_ms": start, "end_ms": start + 2500, "text": text} for start in starts]


def espeak_voice(language, style):
    """espeak-ng's voice for a BCP-47 code ("fr-FR" → "fr-fr", "pt-BR" → "pt-br"), with a gender variant."""
    return f"{language.lower()}+{'m3' if style == 'masculine' else 'f3'}"


def speak(text, language, style, slot_ms):
    """(rate, 16-bit mono frames) of `text` spoken to fit `slot_ms` if it can; None when espeak-ng fails."""
    espeak = shutil.which("espeak-ng")
    if espeak is None or not text.strip():
        return None
    wpm, result = SPEECH_RATE_WPM, None
    for voice in dict.fromkeys([language, language.split("-")[0], "en"]):
        result = _espeak(espeak, text, espeak_voice(voice, style), wpm)
        if result is not None:
            break
    if result is None:
        return None
    rate, frames = result
    needed_ms = len(frames) // 2 * 1000 // rate
    if needed_ms > slot_ms > 0:  # speak faster, as a dubbing actor would, up to a limit
        wpm = min(MAX_RATE_WPM, int(SPEECH_RATE_WPM * needed_ms / slot_ms) + 1)
        result = _espeak(espeak, text, espeak_voice(voice, style), wpm) or result
    return result


def _espeak(espeak, text, voice, wpm):
    with tempfile.TemporaryDirectory(prefix="dubweb-speak-") as tmp:
        out = Path(tmp) / "line.wav"
        try:
            done = subprocess.run(
                [espeak, "-v", voice, "-s", str(wpm), "-w", str(out), "--stdin"],
                input=text.encode(),
                capture_output=True,
                timeout=30,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        if done.returncode != 0 or not out.exists() or b"not found" in done.stderr.lower():
            return None
        with wave.open(str(out), "rb") as clip:
            if clip.getnchannels() != 1 or clip.getsampwidth() != 2:
                return None
            return clip.getframerate(), _trim(clip.readframes(clip.getnframes()))


def _trim(frames):
    """The frames without their leading and trailing silence."""
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    loud = [i for i, sample in enumerate(samples) if abs(sample) >= SILENCE]
    return frames[loud[0] * 2 : (loud[-1] + 1) * 2] if loud else frames


def write_speech_wav(path, duration_s, lines, language, styles):
    """Each line spoken at its start; False (nothing written) when espeak-ng is missing or fails.

    Lines are synthesized in parallel; a line runs at most until the next one starts."""
    if shutil.which("espeak-ng") is None or not lines:
        return False
    limit = int(getattr(settings, "SANDBOX_SPEECH_MAX_LINES", 300))
    lines = sorted(lines, key=lambda line: line["start_ms"])[:limit]

    def synthesize(line):
        return speak(str(line.get("text", "")), language, styles.get(line.get("speaker_id")),
                     line["end_ms"] - line["start_ms"])  # fmt: skip

    with ThreadPoolExecutor(max_workers=4) as pool:
        clips = list(pool.map(synthesize, lines))
    rates = {clip[0] for clip in clips if clip}
    if len(rates) != 1:
        return False
    rate = rates.pop()
    total = max(int(duration_s * rate), *(line["end_ms"] * rate // 1000 for line in lines))
    samples = bytearray(total * 2)
    for index, (line, clip) in enumerate(zip(lines, clips, strict=True)):
        if not clip:
            continue
        start = line["start_ms"] * rate // 1000
        stop = lines[index + 1]["start_ms"] * rate // 1000 if index + 1 < len(lines) else total
        frames = clip[1][: max(0, min(stop, total) - start) * 2]
        samples[start * 2 : start * 2 + len(frames)] = frames
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(samples))
    return True
