"""dubweb's languages and what each provider calls them.

dubweb names a language with a BCP-47 tag (`fr-FR`). The providers do not agree with each other
(../shared/providers.md §3), so each gets its own column here rather than one shared enum:

- Dubformer source: bare ISO 639-1 (`en`); Dubformer target: language-REGION (`fr-FR`).
- ModelsLab source: one of 56 codes, mostly bare, some with a region (`zh-CN`, `zh-TW`);
  ModelsLab output: exactly 9 lower-case codes (`es fr hi it pt-br en-us en-gb ja zh`).

A blank column means the provider does not take that language in that role.
"""

from dataclasses import dataclass


class UnsupportedLanguage(ValueError):
    """The provider does not offer this language in this role; the message says so to a person."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    dubformer_source: str = ""
    dubformer_target: str = ""
    modelslab_source: str = ""
    modelslab_output: str = ""


# fmt: off
LANGUAGES = [
    Language("ar-SA", "Arabic",                 "ar", "ar-SA", "ar"),
    Language("bg-BG", "Bulgarian",              "bg", "bg-BG", "bg"),
    Language("ca-ES", "Catalan",                "ca", "ca-ES", "ca"),
    Language("cs-CZ", "Czech",                  "cs", "cs-CZ", "cs"),
    Language("da-DK", "Danish",                 "da", "da-DK", "da"),
    Language("de-DE", "German",                 "de", "de-DE", "de"),
    Language("el-GR", "Greek",                  "el", "el-GR", "el"),
    Language("en-GB", "English (UK)",           "en", "en-GB", "en", "en-gb"),
    Language("en-US", "English (US)",           "en", "en-US", "en", "en-us"),
    Language("es-ES", "Spanish (Spain)",        "es", "es-ES", "es", "es"),
    Language("es-MX", "Spanish (Mexico)",       "es", "es-MX", "es", "es"),
    Language("fi-FI", "Finnish",                "fi", "fi-FI", "fi"),
    Language("fr-CA", "French (Canada)",        "fr", "fr-CA", "fr", "fr"),
    Language("fr-FR", "French (France)",        "fr", "fr-FR", "fr", "fr"),
    Language("he-IL", "Hebrew",                 "he", "he-IL", "he"),
    Language("hi-IN", "Hindi",                  "hi", "hi-IN", "hi", "hi"),
    Language("hu-HU", "Hungarian",              "hu", "hu-HU", "hu"),
    Language("id-ID", "Indonesian",             "id", "id-ID", "id"),
    Language("it-IT", "Italian",                "it", "it-IT", "it", "it"),
    Language("ja-JP", "Japanese",               "ja", "ja-JP", "ja", "ja"),
    Language("ko-KR", "Korean",                 "ko", "ko-KR", "ko"),
    Language("nl-NL", "Dutch",                  "nl", "nl-NL", "nl"),
    Language("no-NO", "Norwegian",              "no", "nb-NO", "no"),
    Language("pl-PL", "Polish",                 "pl", "pl-PL", "pl"),
    Language("pt-BR", "Portuguese (Brazil)",    "pt", "pt-BR", "pt", "pt-br"),
    Language("pt-PT", "Portuguese (Portugal)",  "pt", "pt-PT", "pt"),
    Language("ro-RO", "Romanian",               "ro", "ro-RO", "ro"),
    Language("ru-RU", "Russian",                "ru", "ru-RU", "ru"),
    Language("sv-SE", "Swedish",                "sv", "sv-SE", "sv"),
    Language("th-TH", "Thai",                   "th", "th-TH", "th"),
    Language("tr-TR", "Turkish",                "tr", "tr-TR", "tr"),
    Language("uk-UA", "Ukrainian",              "uk", "uk-UA", "uk"),
    Language("vi-VN", "Vietnamese",             "vi", "vi-VN", "vi"),
    Language("zh-CN", "Chinese (Simplified)",   "zh", "zh-CN", "zh-CN", "zh"),
    Language("zh-TW", "Chinese (Traditional)",  "zh", "zh-TW", "zh-TW"),
]
# fmt: on

BY_CODE = {language.code: language for language in LANGUAGES}
CHOICES = [(language.code, language.name) for language in LANGUAGES]

# ModelsLab's own lists (providers.md §2.2); its client validates with them, and the table above must stay
# within them. Plain data: this module imports nothing of dubweb's, so provider clients may use it.
# Word for word from ModelsLab's documentation (providers.md §2.2): the output enum of the OpenAPI schema,
# and the source codes of the older parameter table (it says "56" but lists these 58).
MODELSLAB_OUTPUT_CODES = ("es", "fr", "hi", "it", "pt-br", "en-us", "en-gb", "ja", "zh")
# fmt: off
MODELSLAB_SOURCE_CODES = (
    "af", "ar", "hy", "az", "be", "bs", "bg", "ca", "zh-CN", "zh-TW", "hr", "cs", "da", "nl",
    "en", "et", "fi", "fr", "gl", "ka", "de", "el", "he", "hi", "hu", "is", "id", "it",
    "ja", "kn", "kk", "ko", "lv", "lt", "mk", "ms", "ml", "mr", "ne", "no", "fa", "pl",
    "pt", "ro", "ru", "sr", "sk", "sl", "es", "sw", "sv", "ta", "te", "th", "tr", "uk",
    "ur", "vi",
)
# fmt: on


def get(code):
    try:
        return BY_CODE[code]
    except KeyError:
        raise UnsupportedLanguage(f"Unknown language code {code!r}.") from None


def name(code):
    language = BY_CODE.get(code)
    return language.name if language else code


def _provider_code(code, attribute, provider, role):
    language = get(code)
    value = getattr(language, attribute)
    if not value:
        raise UnsupportedLanguage(f"{provider} does not offer {language.name} as {role} language.")
    return value


def modelslab_dubs_into(code):
    """Whether ModelsLab can dub into this language (its output list has only nine)."""
    language = BY_CODE.get(code)
    return bool(language and language.modelslab_output)


def modelslab_output_names():
    """The languages ModelsLab dubs into, by name, for messages."""
    return [language.name for language in LANGUAGES if language.modelslab_output]


def dubformer_source(code):
    return _provider_code(code, "dubformer_source", "Dubformer", "a source")


def dubformer_target(code):
    return _provider_code(code, "dubformer_target", "Dubformer", "a target")


def modelslab_source(code):
    return _provider_code(code, "modelslab_source", "ModelsLab", "a source")


def modelslab_output(code):
    return _provider_code(code, "modelslab_output", "ModelsLab", "an output")


def from_dubformer(source_code="", target_code=""):
    """dubweb's code for a language Dubformer names (`en` as a source, `fr-FR` as a target), or None."""
    for language in LANGUAGES:
        if target_code and language.dubformer_target.lower() == target_code.lower():
            return language.code
    preferred = {"en": "en-US", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR", "zh": "zh-CN"}
    if source_code in preferred:
        return preferred[source_code]
    for language in LANGUAGES:
        if source_code and language.dubformer_source == source_code.lower():
            return language.code
    return None
