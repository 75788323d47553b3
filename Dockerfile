# syntax=docker/dockerfile:1
#
# badgebake's container image: the static badgebake binary on distroless
# (CA certificates, no shell, no package manager), running as a non-root
# user, serving the HTTP service on port 8080:
#
#   docker build -t badgebake .
#   docker run --rm -p 8080:8080 badgebake
#   docker run --rm -v "$PWD:/data:ro" badgebake verify /data/baked.png
#
# Build from a clone (the .git directory gives "badgebake version" its
# commit); a release passes its tag: --build-arg VERSION=v1.2.3.
# "--target shell" builds the same image with a busybox shell at
# /busybox/sh, for jobs that need one (see the README's Kubernetes example).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# Static (see the README), and with the release's flags (.goreleaser.yaml).
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -buildid= -X github.com/badgebake/badgebake/internal/cli.Version=${VERSION}" \
      -o /out/badgebake ./cmd/badgebake \
 && /out/badgebake version

# With a shell, for scripts and jobs: docker build --target shell .
FROM gcr.io/distroless/static-debian12:debug-nonroot AS shell
COPY --from=build /out/badgebake /usr/local/bin/badgebake
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/badgebake"]

# The default image: no shell.
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="badgebake" \
      org.opencontainers.image.description="Bake, unbake and verify Open Badges images" \
      org.opencontainers.image.source="https://github.com/badgebake/badgebake" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/badgebake /usr/local/bin/badgebake
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/badgebake"]
CMD ["serve", "--addr", ":8080"]
