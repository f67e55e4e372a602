from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Provider sandbox"

    def ready(self):
        # The sandbox hooks itself into dubweb's periodic check: dubweb's job code never imports the sandbox.
        from projects.signals import checks_due

        checks_due.connect(_deliver_webhooks, dispatch_uid="sandbox-deliver-webhooks")


def _deliver_webhooks(**kwargs):
    from django.conf import settings

    if settings.PROVIDER_SANDBOX:
        from .webhooks import deliver_due_webhooks

        deliver_due_webhooks()
