# portguard as a container image, built only from what this repository
# builds: `make image` compiles a static binary (CGO_ENABLED=0) into
# bin/image/ and builds this file with that directory as the context, so no
# base image is pulled from a registry.
#
#   docker run --rm -v "$PWD":/src portguard:dev check
#
# The container runs as an unprivileged user (65532); `fix` and `docs`
# write into /src, so give them your own user: --user "$(id -u):$(id -g)".
FROM scratch
COPY portguard /usr/local/bin/portguard
ENV PATH=/usr/local/bin
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["portguard"]
CMD ["check"]
