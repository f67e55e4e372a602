"""Each provider gets its own language codes; dubweb's choice maps to them in one module."""

import pytest

from projects import languages


def test_modelslab_output_codes_are_exactly_the_documented_nine():
    assert set(languages.MODELSLAB_OUTPUT_CODES) == {
        "es",
        "fr",
        "hi",
        "it",
        "pt-br",
        "en-us",
        "en-gb",
        "ja",
        "zh",
    }
    mapped = {language.modelslab_output for language in languages.LANGUAGES if language.modelslab_output}
    assert mapped == set(languages.MODELSLAB_OUTPUT_CODES)


def test_every_language_maps_to_codes_the_providers_accept():
    for language in languages.LANGUAGES:
        assert "-" not in language.dubformer_source, language  # Dubformer sources have no region
        assert language.dubformer_target.count("-") == 1, language  # Dubformer targets do
        if language.modelslab_source:
            assert language.modelslab_source in languages.MODELSLAB_SOURCE_CODES, language


@pytest.mark.parametrize(
    ("code", "dubformer_source", "dubformer_target", "modelslab_output"),
    [("en-US", "en", "en-US", "en-us"), ("fr-FR", "fr", "fr-FR", "fr"), ("pt-BR", "pt", "pt-BR", "pt-br")],
)
def test_one_choice_becomes_each_providers_code(code, dubformer_source, dubformer_target, modelslab_output):
    assert languages.dubformer_source(code) == dubformer_source
    assert languages.dubformer_target(code) == dubformer_target
    assert languages.modelslab_output(code) == modelslab_output


def test_a_language_a_provider_lacks_is_refused_with_a_message():
    with pytest.raises(
        languages.UnsupportedLanguage, match="ModelsLab does not offer German as an output language"
    ):
        languages.modelslab_output("de-DE")
    with pytest.raises(languages.UnsupportedLanguage, match="Unknown language code"):
        languages.dubformer_target("xx-XX")


def test_dubformer_codes_map_back_to_dubweb():
    assert languages.from_dubformer(target_code="fr-FR") == "fr-FR"
    assert languages.from_dubformer(source_code="en") == "en-US"
    assert languages.from_dubformer(source_code="de") == "de-DE"
    assert languages.from_dubformer(source_code="tlh") is None
