# prodpulse: Prometheus exporter and alerting sidecar.
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build stage: the deps stage
# installs production dependencies only and the final stage copies them next to src/.

# ---- deps: production node_modules only (the `node` devDependency is omitted; the image's node is 24) ----
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# ---- runtime ----------------------------------------------------------------------------------------------
FROM node:24-slim
WORKDIR /app
# PRODPULSE_DATA is what the shipped alerts.yaml puts its SQLite file under (storage.path).
# NODE_COMPILE_CACHE: type-stripped and compiled sources are cached (warmed below), so Node does not load its
# TypeScript stripper at start (~18 MB). --max-semi-space-size=4 bounds V8's young generation under scrape load;
# --max-old-space-size=192 keeps V8 from growing the heap to ~280 MB under 200 concurrent scrapers (bench/load.ts)
# (bench/README.md has the measurements behind both).
ENV NODE_ENV=production \
    PRODPULSE_CONFIG=/etc/prodpulse/alerts.yaml \
    PRODPULSE_DATA=/var/lib/prodpulse \
    NODE_COMPILE_CACHE=/app/.compile-cache \
    NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=192"
# Code and dependencies stay owned by root (read-only for the service user).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# Default config; mount your own at /etc/prodpulse/alerts.yaml to replace it.
COPY alerts.yaml /etc/prodpulse/alerts.yaml
# The shipped rules also beside src/: a services.json given as the config (PRODPULSE_CONFIG=…/services.json) runs with them.
COPY alerts.yaml ./alerts.yaml
# Warm the compile cache: loading main.ts loads every module the sidecar's main thread runs; the channel worker's
# entry (run as a plain script it only loads its modules) covers the worker thread.
RUN node src/main.ts --version && node src/notify/channels/worker-entry.ts && chown -R node:node /app/.compile-cache
# State (SQLite: alert state, outbox, silences) lives in /var/lib/prodpulse. ./data is linked there too, so a
# config that keeps the schema's default storage.path (./data/prodpulse.db) also lands in the volume.
RUN mkdir -p /var/lib/prodpulse && chown node:node /var/lib/prodpulse && ln -s /var/lib/prodpulse /app/data
VOLUME /var/lib/prodpulse
# The node image's unprivileged user (uid 1000).
USER node
EXPOSE 9470
# No curl in slim images: node itself checks /health. The port follows PRODPULSE_LISTEN (default 9470).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.PRODPULSE_LISTEN||'').split(':').pop()||'9470';fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
ENTRYPOINT ["node", "src/main.ts"]
CMD ["serve"]
