FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY quizbank ./quizbank
COPY storage ./storage
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --create-home --uid 10001 quizbot \
    && mkdir /data && chown quizbot /data

USER quizbot
ENV QUIZBOT_DB=/data/quizbot.sqlite3 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
# quizbot exits cleanly on SIGTERM, which is what `docker stop` sends.
CMD ["quizbot", "run"]
