# One image for every service; the command picks which one runs:
#   docker build -t cref .
#   docker run cref node dist/apps/catalog/src/main.js
# docker-compose.yml builds it once and runs users, catalog, dashboard and the seed from it.

# Dependencies first, so source edits reuse the cached `npm ci` layer.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/caching/package.json libs/caching/
COPY libs/platform/package.json libs/platform/
RUN npm ci --no-audit --no-fund

# Type-checked build (tsc), then drop the dev dependencies.
FROM deps AS build
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# The workspace links in node_modules/@app/* point here; each index.js re-exports the built library from dist/.
COPY --from=build /app/libs/caching/package.json /app/libs/caching/index.js ./libs/caching/
COPY --from=build /app/libs/platform/package.json /app/libs/platform/index.js ./libs/platform/
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/scripts ./dist/scripts
USER node
EXPOSE 3001 3002 3003
CMD ["node", "dist/apps/users/src/main.js"]
