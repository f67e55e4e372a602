"""Dubformer's voice catalogue for the speakers panel: asked once an hour per team and language, with a
short timeout and no retries (a person is waiting), and never required: a voice key can be typed."""

from django.core.cache import cache

from .. import languages
from ..providers.http import ProviderError, RetryPolicy
from .submissions import dubformer_client

CACHE_S = 3600


def default_modelslab_voice(project):
    """(voice id, speaker name) the New ModelsLab dub form proposes: ModelsLab dubs a whole video with one
    voice, so the per-speaker "ModelsLab voice id" of the speaker with the most lines; ("", "") if none has one."""
    from django.db.models import Count

    from ..models import Speaker

    voiced = (
        Speaker.objects.filter(project=project).exclude(modelslab_voice_id="").order_by("speaker_id", "pk")
    )
    first_two = list(voiced.values_list("modelslab_voice_id", "name")[:2])
    if len(first_two) < 2:  # one voice (or none): nothing to choose, no need to count lines
        return first_two[0] if first_two else ("", "")
    counted = voiced.annotate(lines=Count("segments")).order_by("-lines", "speaker_id", "pk")
    return counted.values_list("modelslab_voice_id", "name").first()


def dubformer_voices(project):
    """([(voice_key, label)], problem): the catalogue for the project's target language, or why not."""
    cache_key = f"dubformer-voices:{project.team_id}:{project.target_language}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached, ""
    try:
        target = languages.dubformer_target(project.target_language)
        with dubformer_client(
            project.team_id, connect_timeout_s=2, read_timeout_s=5, retry=RetryPolicy(attempts=1)
        ) as client:
            voices = client.voices(target_lang=target)
    except (ProviderError, languages.UnsupportedLanguage) as error:
        return [], f"Dubformer's voice catalogue is not available ({error}); type a voice key instead."
    catalogue = [
        (voice.key, " · ".join(part for part in (voice.name, voice.language, voice.style) if part))
        for voice in voices[:300]
    ]
    cache.set(cache_key, catalogue, CACHE_S)
    return catalogue, ""


BUILT_IN_VOICES = ("soundalike", "emotional_transfer")


def unknown_voice_warning(project, voice_key, catalogue):
    """A warning when `voice_key` is neither a built-in voice nor in the catalogue for the project's
    target language (it is saved anyway: the catalogue may lag behind Dubformer), else ""."""
    if not voice_key or voice_key in BUILT_IN_VOICES or voice_key in {key for key, _ in catalogue}:
        return ""
    return (
        f"“{voice_key}” is not in Dubformer's voice catalogue for {project.target_language_name}: "
        "saved, but Dubformer may refuse it. Check the key, or pick one from the list."
    )
