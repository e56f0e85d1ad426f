# Sealflow's image: one image, two roles. docker-compose.yml runs it as `server` (node bin/sealflow.mjs
# server, the REST API) and as `worker` (node bin/sealflow.mjs worker) — the same entry points as
# `npx sealflow server|worker` (package.json "bin"). Built by users; this repository's machine has no
# Docker engine, so the same processes are tested without it (test/deploy/cluster.test.ts).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and @node-rs/argon2 compile or fetch native code on install.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The browser app (/designer, /console, signer pages) is built into the image, not at start.
RUN node scripts/build-designer.mjs

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# The data folder (the hub's root certificate, …) is a volume in docker-compose.yml; it must belong to
# the unprivileged user the processes run as.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
ENV NODE_ENV=production PORT=3000 SEALFLOW_DATA_DIR=/app/data
EXPOSE 3000
# The REST server by default; docker-compose.yml gives the worker its own command. Both need
# TEMPORAL_ADDRESS and DATABASE_URL: in a container there is no embedded dev server.
CMD ["node", "bin/sealflow.mjs", "server"]
