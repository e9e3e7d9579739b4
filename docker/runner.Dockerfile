# syntax=docker/dockerfile:1.7
# The runner image: one DuckDB operation per Job (node dist/runner.mjs, an esbuild bundle of
# runner/main.ts built by scripts/build-runner.ts, with its V8 code cache written by one
# init-catalog run at build time; no TypeScript compiler at run time).
# Build from the repository root: docker build -f docker/runner.Dockerfile -t featherman-runner .
# Multi-stage: native modules (fs-ext, @duckdb/node-bindings) are installed with the
# compilers of the full image and the bundle is built there; the final image has node, the
# bundle and the production node_modules only (no compiler, no npm), runs as a non-root
# user, and writes nothing outside /tmp (mount an emptyDir there; read-only root FS).

ARG NODE_VERSION=20.20.2
ARG DEBIAN=bookworm

FROM node:${NODE_VERSION}-${DEBIAN} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY api ./api
COPY runner ./runner
COPY scripts/build-runner.ts ./scripts/build-runner.ts
# The build ends with a training run that writes dist/runner.cjs.cache (runner/bundle-start.ts).
RUN node --import tsx scripts/build-runner.ts dist && test -s dist/runner.cjs.cache

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
# The bundle loads its native externals from /app/node_modules.
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# Nothing is compiled or cached at run time, so a read-only root file system works.
# The AWS SDK's notice that its 2027 releases need Node 22 is noise in every Job's log: the lock file pins one for Node 20.
ENV NODE_ENV=production TMPDIR=/tmp HOME=/tmp AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
USER 65532:65532
ENTRYPOINT ["node", "dist/runner.mjs"]
