"""A team's provider keys: entered by owners and managers, stored encrypted, only ever shown masked."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import access
from ..models import ProviderCredential, Submission
from ..providers.http import is_usable_key


class ProviderKeysForm(forms.Form):
    dubformer = forms.CharField(
        label="Dubformer API key", required=False, max_length=500, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="From the API section of app.dubformer.ai. Leave empty to keep the current key.",
    )  # fmt: skip
    modelslab = forms.CharField(
        label="ModelsLab API key", required=False, max_length=500, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="From your ModelsLab dashboard. Leave empty to keep the current key.",
    )  # fmt: skip
    remove_dubformer = forms.BooleanField(label="Remove the Dubformer key", required=False)
    remove_modelslab = forms.BooleanField(label="Remove the ModelsLab key", required=False)

    def _clean_key(self, name):
        key = self.cleaned_data[name]
        if key and not is_usable_key(key):
            raise forms.ValidationError(
                "An API key is letters, digits and punctuation, without spaces or line breaks: paste it again."
            )
        return key

    def clean_dubformer(self):
        return self._clean_key("dubformer")

    def clean_modelslab(self):
        return self._clean_key("modelslab")

    def changes(self):
        """What saving this form does, in words ("" when it changes nothing)."""
        done = []
        for provider, label in Submission.Provider.choices:
            if self.cleaned_data[f"remove_{provider}"]:
                done.append(f"{label} key removed")
            elif self.cleaned_data[provider]:
                done.append(f"{label} key saved")
        return "; ".join(done)


@login_required
@require_http_methods(["GET", "POST"])
def provider_keys(request, slug):
    team = access.get_team_for(request.user, slug, "manage_provider_keys")
    form = ProviderKeysForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        for provider in Submission.Provider.values:
            if form.cleaned_data[f"remove_{provider}"]:
                ProviderCredential.objects.filter(team=team, provider=provider).delete()
            elif form.cleaned_data[provider]:
                credential = ProviderCredential.objects.filter(team=team, provider=provider).first()
                credential = credential or ProviderCredential(team=team, provider=provider)
                credential.set_key(form.cleaned_data[provider])
                credential.updated_by = request.user
                credential.save()
        done = form.changes()
        messages.success(request, f"{done}." if done else "Nothing to change: no key entered or removed.")
        return redirect("projects:provider-keys", slug=team.slug)
    current = {
        c.provider: c for c in ProviderCredential.objects.filter(team=team).select_related("updated_by")
    }
    return render(request, "projects/provider_keys.html", {"team": team, "form": form, "current": current})
