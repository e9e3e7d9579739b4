# syntax=docker/dockerfile:1.7
# The runner image: one DuckDB operation per Job (node --import tsx runner/main.ts).
# Build from the repository root: docker build -f docker/runner.Dockerfile -t featherman-runner .
# Multi-stage: native modules (fs-ext, @duckdb/node-api) are installed with the compilers of
# the full image; the final image has node and the app only (no compiler, no npm), runs as a
# non-root user, and writes nothing outside /tmp (mount an emptyDir there; read-only root FS).

ARG NODE_VERSION=20.20.2
ARG DEBIAN=bookworm

FROM node:${NODE_VERSION}-${DEBIAN} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-${DEBIAN}-slim AS final
# npm, npx and corepack are not needed at run time.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && groupadd --gid 65532 featherman && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin featherman
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root api ./api
COPY --chown=root:root runner ./runner
# tsx compiles in memory; no cache write, so a read-only root file system works.
ENV NODE_ENV=production TSX_DISABLE_CACHE=1 TMPDIR=/tmp HOME=/tmp
USER 65532:65532
ENTRYPOINT ["node", "--import", "tsx", "runner/main.ts"]
