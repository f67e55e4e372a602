"""Forms of the team page, the invitation sign-up and the profile."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from . import text_input
from .models import Role


def role_choices(may_manage_owners):
    """The roles a person may hand out: owners every role, managers every role but owner."""
    return [(value, label) for value, label in Role.choices if may_manage_owners or value != Role.OWNER]


class InviteForm(text_input.TextFieldsMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args, may_manage_owners=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(may_manage_owners)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class SignUpForm(text_input.TextFieldsMixin, forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What you sign in with: letters, digits and @ . + - _ only.",
        validators=[get_user_model().username_validator],
    )
    name = forms.CharField(label="Display name", max_length=150, help_text="How your team sees you named.")
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken; choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            user = get_user_model()(
                username=cleaned.get("username", ""), email=self.email, first_name=cleaned.get("name", "")
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(text_input.TextFieldsMixin, forms.Form):
    name = forms.CharField(
        label="Display name", max_length=150, help_text="Shown to your team wherever you are named."
    )
    email = forms.EmailField(
        label="Email address", max_length=254, help_text="Password resets and invitations are sent here."
    )
