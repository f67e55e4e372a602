"""The speakers panel warns, next to the field, about a voice key Dubformer's catalogue does not have."""

from playwright.sync_api import expect

from projects.services import voices

from .test_editor_browser import keynote, open_editor  # noqa: F401 (keynote is a fixture)


def test_an_unknown_voice_key_is_saved_with_a_warning_beside_it(page, keynote, monkeypatch, screenshot):  # noqa: F811
    catalogue = [("53f154:fr-FR-DeniseNeural", "Denise · fr-FR · feminine")]
    monkeypatch.setattr(voices, "dubformer_voices", lambda project: (catalogue, ""))
    anna = keynote.speakers.get(name="Anna").pk
    open_editor(page, keynote)
    panel = page.locator("#speakers-panel")
    voice = panel.locator(f"#speaker-{anna}-voice")
    voice.fill("53f154:de-DE-KatjaNeural")
    panel.get_by_role("button", name="Save Anna").click()
    expect(panel.get_by_role("status")).to_contain_text("Saved Anna.")
    voice = panel.locator(f"#speaker-{anna}-voice")
    expect(voice).to_have_value("53f154:de-DE-KatjaNeural")
    expect(voice).to_have_accessible_description(
        "“53f154:de-DE-KatjaNeural” is not in Dubformer's voice catalogue for French (France): saved, but "
        "Dubformer may refuse it. Check the key, or pick one from the list."
    )
    panel.scroll_into_view_if_needed()
    screenshot(page, "speakers-voice-warning")
