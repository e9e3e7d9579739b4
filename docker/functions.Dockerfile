# syntax=docker/dockerfile:1.7
# The functions image: one express app with every Featherman function (functions/main.ts on
# $PORT); each Knative Service picks its function with FEATHERMAN_HANDLER. The image runs the
# esbuild bundle functions/bundle.ts writes (about 250 ms and 75 MiB to ready, where tsx
# transpiling at start takes seconds and 230 MiB), under FUNCTIONS_RUNTIME_ENV.
# Build from the repository root: docker build -f docker/functions.Dockerfile -t featherman-functions .
# Multi-stage, no build tools in the final image, non-root, read-only root FS compatible.

ARG NODE_VERSION=20.20.2
ARG DEBIAN=bookworm

FROM node:${NODE_VERSION}-${DEBIAN} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-${DEBIAN} AS bundle
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY api ./api
COPY runner ./runner
COPY functions ./functions
RUN node --import tsx functions/bundle.ts dist/functions.cjs

FROM node:${NODE_VERSION}-${DEBIAN}-slim AS final
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && groupadd --gid 65532 featherman && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin featherman
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --from=bundle --chown=root:root /app/dist/functions.cjs ./functions.cjs
# FUNCTIONS_RUNTIME_ENV (functions/bundle.ts; a unit test keeps the two equal).
ENV MALLOC_MMAP_THRESHOLD_=32768 NODE_OPTIONS=--max-semi-space-size=2
# The AWS SDK's notice that its 2027 releases need Node 22 is noise here: the lock file pins one for Node 20.
ENV NODE_ENV=production TMPDIR=/tmp HOME=/tmp PORT=8080 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["node", "functions.cjs"]
