"""How fast the worker computes a 2-hour film's waveform peaks, with how much memory, and how big the
peaks response is.

    .venv/bin/python bench/peaks.py [--minutes 120] [--keep]

Generates a long mono AAC track with ffmpeg (pink noise in 3-second bursts with 2-second pauses, like
speech and silence; 10 minutes encoded, repeated by stream copy; cached in /tmp between runs with --keep), then, in a fresh child process so that the
memory figures are the computation's alone, runs projects/waveform_peaks.compute on it. Prints:
- audio seconds per wall second for the peaks, next to ffmpeg decoding the same file to nothing (the
  floor: what decoding alone costs), and their ratio;
- peak RSS of this computation's Python process and of its ffmpeg child (getrusage);
- the .dat size and the response size as the endpoint sends it gzipped.
No Django needed: the peaks module is plain Python.
"""

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from projects import waveform_peaks  # noqa: E402


def generate(path, minutes):
    """A `minutes`-long track: 10 minutes encoded once, then repeated by stream copy (encoding two hours
    of AAC would take longer than the benchmark itself)."""
    if path.exists():
        return
    piece_minutes = min(10, minutes)
    piece = path.with_suffix(".piece.m4a")
    print(f"generating {minutes} min of audio in {path} …", flush=True)
    subprocess.run(  # noqa: S603
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",  # noqa: S607
         "-i", f"anoisesrc=colour=pink:amplitude=0.5:sample_rate=44100:duration={piece_minutes * 60}",
         "-af", "volume='if(lt(mod(t,5),3),1,0)':eval=frame", "-ac", "1", "-c:a", "aac", "-b:a", "64k",
         str(piece)],
        check=True,
    )  # fmt: skip
    listing = path.with_suffix(".txt")
    listing.write_text(f"file '{piece}'\n" * -(-minutes // piece_minutes))
    try:
        subprocess.run(  # noqa: S603
            ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),  # noqa: S607
             "-t", str(minutes * 60), "-c", "copy", str(path)],
            check=True,
        )  # fmt: skip
    finally:
        piece.unlink(missing_ok=True)
        listing.unlink(missing_ok=True)


def measure(path):
    """In the child: compute the peaks, print JSON figures."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        peaks = waveform_peaks.compute(path, out, timeout_s=3600)
        wall_s = time.perf_counter() - started
        out.seek(0)
        data = out.read()
    packing = time.perf_counter()
    packed = gzip.compress(data, compresslevel=6, mtime=0)  # as projects/views/waveforms.py sends it
    gzip_ms = (time.perf_counter() - packing) * 1000
    print(
        json.dumps(
            {
                "audio_s": peaks.duration_ms / 1000,
                "wall_s": wall_s,
                "self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "ffmpeg_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "dat_bytes": len(data),
                "gzip_bytes": len(packed),
                "gzip_ms": gzip_ms,
                "pixels": peaks.pixels,
            }
        )
    )


def decode_only(path):
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"],  # noqa: S607
        check=True,
    )
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=120)
    parser.add_argument("--keep", action="store_true", help="keep the generated audio for the next run")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    path = Path(tempfile.gettempdir()) / f"dubweb-bench-peaks-{args.minutes}min.m4a"
    generate(path, args.minutes)
    try:
        floor_s = decode_only(path)
        child = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
    audio_s = figures["audio_s"]
    print(
        f"audio: {audio_s / 3600:.2f} h ({figures['pixels']:,} peaks, {waveform_peaks.PEAKS_PER_SECOND} a second)"
    )
    print(
        f"peaks computed: {audio_s / figures['wall_s']:,.0f} audio s per wall s ({figures['wall_s']:.1f} s)"
    )
    print(f"ffmpeg decoding alone: {audio_s / floor_s:,.0f} audio s per wall s ({floor_s:.1f} s)")
    print(f"ratio peaks / decoding alone: {figures['wall_s'] / floor_s:.2f}×")
    print(
        f"peak RSS: python {figures['self_rss_mb']:.0f} MB, ffmpeg/ffprobe {figures['ffmpeg_rss_mb']:.0f} MB"
    )
    print(
        f"response: {figures['dat_bytes'] / 2**20:.2f} MB .dat, "
        f"{figures['gzip_bytes'] / 2**20:.2f} MB gzipped (one request; gzip takes {figures['gzip_ms']:.0f} ms, "
        "a 304 when unchanged)"
    )


if __name__ == "__main__":
    main()
