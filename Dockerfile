# One recipe for the four services: `docker build --build-arg APP=payment .` builds the payment service's image
# (compose.yaml does this for each). Compiling needs TypeScript and the rest of the devDependencies; running needs
# only the compiled JavaScript and the production dependencies. So the runtime stage starts from a clean Node image
# and receives just those: no compiler, no sources, no tests, and it runs as an unprivileged user.
#
# The dependency layers do not depend on APP, so the four images share them: built once, stored once.

ARG NODE_IMAGE=node:24-slim

# 1. Only the package manifests: the root's, the lock file, and every workspace's package.json (npm needs all of
#    them to install from the lock file). Later stages copy this layer, and their `npm ci` runs again only when a
#    manifest changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
 && find . -mindepth 1 -depth -type d -empty -delete

# 2. Build the service with its Nx build target, as `npm run build` does: the libraries it uses first, then the app
#    (compiled, and with any files its target copies beside the compiled code).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
ARG APP
RUN test -n "$APP" || { echo 'Set the service to build: --build-arg APP=order|payment|inventory|shipping' >&2; exit 1; }
RUN NX_DAEMON=false npx nx run "$APP:build" --outputStyle=static
# What runs: the app's dist and the dist of every library it was built with, beside their package.json files
# (which the runtime stage already has). Type declarations, source maps and build info stay behind.
RUN for dist in "apps/$APP/dist" libs/*/dist; do \
      if [ -d "$dist" ]; then mkdir -p "/runtime/$dist" && cp -R "$dist/." "/runtime/$dist/"; fi; \
    done \
 && find /runtime -type f \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete

# 3. The image that runs.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. npm links each workspace into node_modules/@saga/, so `@saga/outbox` resolves to
# libs/outbox, whose package.json exports ./dist/index.js: the files copied next. `--omit=optional` as well: the
# lock file marks "devOptional" the optional peers of production packages (gRPC for Nest's other transports,
# Babel macros for typeorm's dedent) that only the test tooling really needs.
COPY --from=manifests /app ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund
COPY --from=build /runtime ./
# The one-shot steps of the compose file (`seed`, `databases`, `kafka-access`): Node, with pg and @saga/kafka.
COPY scripts/seed.mjs scripts/demo-token.mjs scripts/create-databases.mjs scripts/kafka-access.mjs scripts/
ARG APP
WORKDIR /app/apps/${APP}
USER node
CMD ["node", "dist/main.js"]
