# ssehub hub image: docker build -t ssehub . && docker run -p 8844:8844 -e SSEHUB_JWT_KEY=... ssehub
# The build steps are the README's "Installing from source" steps.

FROM node:20-bookworm AS build
WORKDIR /app
COPY . .
# Build, then keep only the runtime dependencies, then add the optional storage drivers (SQLite, Redis)
# from their own folder: they are dev dependencies of the repository, so --omit=dev would drop them.
RUN npm ci \
 && rm -rf node_modules \
 && npm ci --omit=dev --ignore-scripts \
 && mkdir /drivers && cd /drivers \
 && echo '{"name":"ssehub-drivers","private":true,"allowScripts":{"better-sqlite3":true}}' > package.json \
 && npm install better-sqlite3@12 ioredis@6 \
 && cp -rn /drivers/node_modules/. /app/node_modules/

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SSEHUB_HOST=0.0.0.0 \
    SSEHUB_PORT=8844 \
    SSEHUB_SHUTDOWN_TIMEOUT=10s
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/node_modules ./node_modules
RUN mkdir -p /var/lib/ssehub && chown node:node /var/lib/ssehub
USER node
EXPOSE 8844
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SSEHUB_PORT||8844)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node runs the command directly (exec form: PID 1 gets SIGTERM and drains; never npx or npm here).
# Arguments after the image name in `docker run` are ssehub flags.
ENTRYPOINT ["node", "bin/ssehub.js"]
