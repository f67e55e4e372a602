"""Generate the demo keynote video (static/demo/keynote.mp4) and its script (projects/demo_keynote.json).

Each line is spoken by espeak-ng, trimmed of its leading and trailing silence, and laid out on one mono
track with short pauses between lines, so the timings written to the JSON are where the speech really is.
The picture is ffmpeg's `testsrc` pattern (no fonts needed). Needs `ffmpeg` and `espeak-ng` on PATH.
"""

import array
import json
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

HOST = ("Tom Reyes", "masculine", "en-us+m3")
PRESENTER = ("Maya Chen", "feminine", "en-us+f3")

# (speaker, English line as spoken, French translation)
LINES = [
    (
        HOST,
        "Good morning, everyone, and welcome to the launch.",
        "Bonjour à tous, et bienvenue au lancement.",
    ),
    (
        HOST,
        "Please welcome our head of product, Maya Chen.",
        "Veuillez accueillir notre directrice produit, Maya Chen.",
    ),
    (
        PRESENTER,
        "Thank you, Tom. We have waited a long time for this day.",
        "Merci, Tom. Nous attendons ce jour depuis longtemps.",
    ),
    (
        PRESENTER,
        "Today we are introducing Lumen, our lightest laptop ever.",
        "Aujourd'hui, nous vous présentons Lumen, notre ordinateur portable le plus léger.",
    ),
    (HOST, "How light are we talking about?", "Léger à quel point ?"),
    (
        PRESENTER,
        "Just under one kilogram, with a battery that lasts all day.",
        "Un peu moins d'un kilo, avec une batterie qui tient toute la journée.",
    ),
    (HOST, "And what about the screen?", "Et l'écran, alors ?"),
    (
        PRESENTER,
        "It is brighter, sharper, and easier on your eyes at night.",
        "Il est plus lumineux, plus net, et plus doux pour les yeux le soir.",
    ),
    (
        HOST,
        "People will ask about the price, of course.",
        "Tout le monde va nous demander le prix, bien sûr.",
    ),
    (
        PRESENTER,
        "Lumen starts at nine hundred and ninety nine dollars.",
        "Lumen est proposé à partir de neuf cent quatre-vingt-dix-neuf dollars.",
    ),
    (HOST, "When can people get one?", "Quand pourra-t-on se le procurer ?"),
    (
        PRESENTER,
        "Orders open today, and it ships next Friday.",
        "Les commandes ouvrent aujourd'hui, et les livraisons commencent vendredi prochain.",
    ),
    (HOST, "Thank you, Maya. Let's take a closer look.", "Merci, Maya. Regardons ça de plus près."),
]

WORDS_PER_MINUTE = 170
FIRST_LINE_MS = 800
GAP_MS = (400, 700)
TAIL_MS = 1000
SILENCE_THRESHOLD = 400  # 16-bit sample amplitude below which espeak-ng's output counts as silence
EDGE_MS = 20  # kept around the speech when trimming, so consonants are not clipped
SEED = 20250611

VIDEO_URL = "/static/demo/keynote.mp4"


def _samples(frames):
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _trim(frames, rate):
    """The 16-bit mono frames without their leading and trailing silence (a short edge kept)."""
    samples = _samples(frames)
    loud = [i for i, s in enumerate(samples) if abs(s) >= SILENCE_THRESHOLD]
    if not loud:
        return frames
    edge = rate * EDGE_MS // 1000
    first = max(0, loud[0] - edge)
    last = min(len(samples), loud[-1] + 1 + edge)
    return frames[first * 2 : last * 2]


class Command(BaseCommand):
    help = "Generate static/demo/keynote.mp4 (espeak-ng speech over a test pattern) and projects/demo_keynote.json."

    def handle(self, *args, **options):
        ffmpeg = shutil.which("ffmpeg")
        espeak = shutil.which("espeak-ng")
        missing = [name for name, path in (("ffmpeg", ffmpeg), ("espeak-ng", espeak)) if not path]
        if missing:
            raise CommandError(
                f"{' and '.join(missing)} not found on PATH; the demo video needs both ffmpeg and espeak-ng "
                "(on Debian/Ubuntu: apt-get install ffmpeg espeak-ng)."
            )

        video_path = Path(settings.BASE_DIR) / "static" / "demo" / "keynote.mp4"
        script_path = Path(__file__).resolve().parents[2] / "demo_keynote.json"
        video_path.parent.mkdir(parents=True, exist_ok=True)

        with tempfile.TemporaryDirectory(prefix="dubweb-demo-") as tmp:
            tmp = Path(tmp)
            rate, clips = self._speak(espeak, tmp)
            audio_path = tmp / "keynote.wav"
            lines, duration_ms = self._lay_out(rate, clips, audio_path)
            encoded = tmp / "keynote.mp4"
            self._encode(ffmpeg, audio_path, duration_ms, encoded)
            shutil.move(encoded, video_path)

        script = {"video": VIDEO_URL, "duration_ms": duration_ms, "lines": lines}
        script_path.write_text(json.dumps(script, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

        size_kb = video_path.stat().st_size / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {video_path} ({size_kb:.0f} KB, {duration_ms / 1000:.1f} s, {len(lines)} lines) "
                f"and {script_path}"
            )
        )

    def _speak(self, espeak, tmp):
        """Synthesize every line; return the sample rate and each line's trimmed 16-bit mono frames."""
        rate = None
        clips = []
        for index, (speaker, text, _target) in enumerate(LINES):
            voice = speaker[2]
            path = tmp / f"line{index:02d}.wav"
            result = subprocess.run(
                [espeak, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(path), text],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0 or not path.exists():
                raise CommandError(f"espeak-ng failed on line {index + 1}: {result.stderr.strip()}")
            with wave.open(str(path), "rb") as clip:
                if clip.getnchannels() != 1 or clip.getsampwidth() != 2:
                    raise CommandError(f"espeak-ng wrote an unexpected WAV format for line {index + 1}.")
                if rate is None:
                    rate = clip.getframerate()
                elif clip.getframerate() != rate:
                    raise CommandError("espeak-ng voices produced different sample rates.")
                frames = clip.readframes(clip.getnframes())
            clips.append(_trim(frames, rate))
        return rate, clips

    def _lay_out(self, rate, clips, audio_path):
        """Write one WAV with every clip at its place; return the script lines and the total duration."""
        rng = random.Random(SEED)
        lines = []
        with wave.open(str(audio_path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            written = 0  # samples
            cursor_ms = FIRST_LINE_MS
            for (speaker, source, target), frames in zip(LINES, clips, strict=True):
                start = rate * cursor_ms // 1000
                out.writeframes(b"\x00\x00" * (start - written))
                out.writeframes(frames)
                end = start + len(frames) // 2
                written = end
                start_ms = start * 1000 // rate
                end_ms = -(-end * 1000 // rate)  # round up: the speech is inside [start_ms, end_ms]
                name, style, _voice = speaker
                lines.append(
                    {
                        "speaker": name,
                        "style": style,
                        "start_ms": start_ms,
                        "end_ms": end_ms,
                        "source": source,
                        "target": target,
                    }
                )
                cursor_ms = end_ms + rng.randint(*GAP_MS)
            total = rate * (lines[-1]["end_ms"] + TAIL_MS) // 1000
            out.writeframes(b"\x00\x00" * (total - written))
        with wave.open(str(audio_path), "rb") as check:
            duration_ms = check.getnframes() * 1000 // check.getframerate()
        return lines, duration_ms

    def _encode(self, ffmpeg, audio_path, duration_ms, output):
        encoders = subprocess.run(
            [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True
        ).stdout
        if " libx264 " in encoders:
            video_codec = ["-c:v", "libx264", "-preset", "slow", "-crf", "32", "-profile:v", "main"]
        elif " libopenh264 " in encoders:
            video_codec = ["-c:v", "libopenh264", "-b:v", "120k"]
        else:
            raise CommandError("This ffmpeg has no H.264 encoder (libx264 or libopenh264).")
        seconds = f"{duration_ms / 1000:.3f}"
        command = [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=480x270:rate=25",
            "-i",
            str(audio_path),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-t",
            seconds,
            *video_codec,
            "-g",
            "50",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            "-ac",
            "1",
            "-ar",
            "44100",
            "-movflags",
            "+faststart",
            str(output),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"ffmpeg failed:\n{result.stderr.strip()}")
