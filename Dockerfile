# Sealflow server + worker image (one image, two commands). Built by users, not in CI here.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The browser app (/designer) is built into the image; npm start would build it at start otherwise.
RUN node scripts/build-designer.mjs

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
# With TEMPORAL_ADDRESS set, `scripts/start.ts` starts no dev server: it runs the worker and the API against the cluster.
CMD ["npx", "tsx", "scripts/start.ts"]
