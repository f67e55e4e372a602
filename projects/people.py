"""How people are named on screen. The display name is kept in the user's name fields (the profile page
edits it as one field), so naming someone never costs a query beyond loading the user."""


def display_name(user):
    """The name to show for `user`: their display name, else their username ("—" for nobody)."""
    if user is None:
        return "—"
    return user.get_full_name().strip() or user.get_username()
