"""Static content of the sandbox: voice catalogues, language lists and the generated scripts."""

# Dubformer voice keys look like `53f154:fr-FR-DeniseNeural` (providers.md 1.7); the shape of Get Voices
# is not published, so each entry carries the key, a display name, the language and a gender.
DUBFORMER_VOICES = [
    {"voice_key": "53f154:fr-FR-DeniseNeural", "name": "Denise", "language": "fr-FR", "gender": "female"},
    {"voice_key": "53f154:fr-FR-HenriNeural", "name": "Henri", "language": "fr-FR", "gender": "male"},
    {"voice_key": "53f154:es-ES-ElviraNeural", "name": "Elvira", "language": "es-ES", "gender": "female"},
    {"voice_key": "53f154:es-ES-AlvaroNeural", "name": "Álvaro", "language": "es-ES", "gender": "male"},
    {"voice_key": "53f154:de-DE-KatjaNeural", "name": "Katja", "language": "de-DE", "gender": "female"},
    {"voice_key": "53f154:de-DE-ConradNeural", "name": "Conrad", "language": "de-DE", "gender": "male"},
    {"voice_key": "53f154:en-US-JennyNeural", "name": "Jenny", "language": "en-US", "gender": "female"},
    {"voice_key": "53f154:en-US-GuyNeural", "name": "Guy", "language": "en-US", "gender": "male"},
    {"voice_key": "53f154:uk-UA-PolinaNeural", "name": "Polina", "language": "uk-UA", "gender": "female"},
    {"voice_key": "53f154:uk-UA-OstapNeural", "name": "Ostap", "language": "uk-UA", "gender": "male"},
    {"voice_key": "voice:Rachel", "name": "Rachel", "language": "en-US", "gender": "female"},
]

# ModelsLab voice_list example (providers.md 2.4, H3).
MODELSLAB_VOICES = [
    {"voice_id": "actor", "name": "Actor", "language": "english"},
    {"voice_id": "tom_hank", "name": "Tom Hank", "language": "english"},
    {"voice_id": "jack_sparrow", "name": "Jack Sparrow", "language": "english"},
]
MODELSLAB_VOICE_LIST_TYPES = ["manual", "trained", "voice_cover"]
MODELSLAB_OUTPUT_LANGS = ["es", "fr", "hi", "it", "pt-br", "en-us", "en-gb", "ja", "zh"]
MODELSLAB_SOURCE_LANGS = [
    "af",
    "ar",
    "hy",
    "az",
    "be",
    "bs",
    "bg",
    "ca",
    "zh-CN",
    "zh-TW",
    "hr",
    "cs",
    "da",
    "nl",
    "en",
    "et",
    "fi",
    "fr",
    "gl",
    "ka",
    "de",
    "el",
    "he",
    "hi",
    "hu",
    "is",
    "id",
    "it",
    "ja",
    "kn",
    "kk",
    "ko",
    "lv",
    "lt",
    "mk",
    "ms",
    "ml",
    "mr",
    "ne",
    "no",
    "fa",
    "pl",
    "pt",
    "ro",
    "ru",
    "sr",
    "sk",
    "sl",
    "es",
    "sw",
    "sv",
    "ta",
    "te",
    "th",
    "tr",
    "uk",
    "ur",
    "vi",
]

DUBFORMER_MIXING_MODES = [
    "voiceover_only",
    "voiceover_with_original_track",
    "voiceover_without_original_voice",
]
DUBFORMER_TTS_VOLUMES = ["very_quiet", "quieter", "normal", "louder", "very_loud"]
DUBFORMER_STYLES = ["masculine", "feminine"]
EMOTIONAL_TRANSFER_LANGS = {"en", "es", "fr", "de", "it", "pt"}

SOURCE_LINES = [
    (1, "Welcome back, everyone, and thank you for joining us today."),
    (2, "Before we start, let me share a quick update on the project."),
    (1, "We finished the first version two weeks ahead of schedule."),
    (2, "That is great news. What comes next?"),
    (1, "Next, we take it to our first customers and listen carefully."),
]
TRANSLATIONS = {
    "fr": [
        "Bon retour à tous, et merci d'être avec nous aujourd'hui.",
        "Avant de commencer, je vous donne une petite nouvelle du projet.",
        "Nous avons terminé la première version avec deux semaines d'avance.",
        "Excellente nouvelle. Et ensuite ?",
        "Ensuite, nous le présentons à nos premiers clients et nous les écoutons attentivement.",
    ],
    "es": [
        "Bienvenidos de nuevo a todos, y gracias por acompañarnos hoy.",
        "Antes de empezar, os cuento una breve novedad del proyecto.",
        "Terminamos la primera versión dos semanas antes de lo previsto.",
        "¡Qué buena noticia! ¿Y ahora qué?",
        "Ahora lo llevamos a nuestros primeros clientes y los escuchamos con atención.",
    ],
    "de": [
        "Willkommen zurück und danke, dass Sie heute dabei sind.",
        "Bevor wir anfangen, ein kurzes Update zum Projekt.",
        "Wir haben die erste Version zwei Wochen vor dem Zeitplan fertiggestellt.",
        "Das sind großartige Neuigkeiten. Wie geht es weiter?",
        "Als Nächstes bringen wir es zu unseren ersten Kunden und hören genau zu.",
    ],
}


def _segments(duration_s, texts):
    """Spread the lines over the video: one per slot, speaking for 70% of it."""
    slot_ms = int(duration_s * 1000) // len(texts)
    segments = []
    for index, (speaker_id, text) in enumerate(texts):
        start = index * slot_ms + 100
        end = start + max(200, int(slot_ms * 0.7))
        segments.append({"start_ms": start, "end_ms": end, "text": text, "speaker_id": speaker_id})
    return segments


def generated_scripts(duration_s, target_lang):
    """The source and target scripts and speakers a fresh project reports when ready (providers.md 1.4)."""
    language = target_lang.split("-")[0].lower()
    targets = TRANSLATIONS.get(language) or [f"[{target_lang}] {text}" for _, text in SOURCE_LINES]
    source = _segments(duration_s, SOURCE_LINES)
    target = _segments(
        duration_s, [(sid, text) for (sid, _), text in zip(SOURCE_LINES, targets, strict=True)]
    )
    return source, target, speakers_for(target_lang)


def speakers_for(target_lang):
    """Speaker 1 masculine, speaker 2 feminine, with catalogue voices of the language (else soundalike)."""
    voices = {v["gender"]: v["voice_key"] for v in DUBFORMER_VOICES if v["language"] == target_lang}
    return [
        {"speaker_id": 1, "voice_key": voices.get("male", "soundalike"), "style": "masculine"},
        {"speaker_id": 2, "voice_key": voices.get("female", "soundalike"), "style": "feminine"},
    ]
