# syntax=docker/dockerfile:1
#
# unionbot as a small static binary on a distroless base: no shell, no
# package manager, CA certificates for the platforms' HTTPS APIs, and a
# non-root user. Built by `docker compose build` (see docker-compose.yml).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a change to the code reuses this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary (no cgo), without local paths; the seed data is embedded.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/unionbot ./cmd/unionbot \
    && mkdir -p /out/data

# distroless/static has CA certificates, time zone data and a nonroot user
# (uid 65532), and nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/unionbot /usr/local/bin/unionbot
# The embedded store's directory, for a single instance without Redis.
COPY --from=build --chown=65532:65532 /out/data /data
ENV UNIONBOT_DATA_DIR=/data \
    UNIONBOT_HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
# SIGTERM (docker stop) makes unionbot finish the replies in flight and
# exit within 10 seconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/unionbot"]
