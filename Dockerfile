# dubweb's container image: gunicorn for the web, the same image runs the worker and the release step
# (compose.yaml; docs/deploy.md). Untested here: this machine has no Docker daemon to build it with.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DUBWEB_VAR_DIR=/var/lib/dubweb \
    MEDIA_ROOT=/var/lib/dubweb/media \
    STATIC_ROOT=/app/staticfiles \
    HOST=0.0.0.0 \
    PORT=8000

# ffmpeg computes waveforms (COMPUTE_WAVEFORMS); espeak-ng voices the sandbox's fake outputs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg espeak-ng \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system dubweb && useradd --system --gid dubweb --home-dir /app --shell /usr/sbin/nologin dubweb

WORKDIR /app
# Dependencies first (a layer that survives code changes), then the code.
COPY pyproject.toml README.md ./
RUN pip install . && pip uninstall -y dubweb
COPY . .

# Static files with hashed names, collected once into the image (WhiteNoise serves them). collectstatic
# needs settings that load: a throwaway key, never used at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /var/lib/dubweb/media \
    && chown -R dubweb:dubweb /var/lib/dubweb

USER dubweb
VOLUME ["/var/lib/dubweb/media"]
EXPOSE 8000

# Liveness: the process answers (readiness, /health/ready, is for the load balancer: docs/deploy.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/health/live', timeout=4)"]

CMD ["gunicorn", "dubweb.wsgi"]
