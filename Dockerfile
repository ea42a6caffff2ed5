# syntax=docker/dockerfile:1
# Notifly: one image for both roles (Notifly__Role=Api | Worker).
#   docker build -t notifly:dev .
# The build stages run on the builder's own platform: the publish has no runtime identifier, so
# its output (with librdkafka's native libraries for every platform under runtimes/) runs on
# amd64 and arm64 alike.

# 1. The admin dashboard (Vite 8 needs node 20.19 or later), as scripts/build-dashboard.sh does.
FROM --platform=$BUILDPLATFORM node:22-bookworm-slim AS dashboard
WORKDIR /src/dashboard
COPY dashboard/package.json dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dashboard/ ./
RUN npm run build

# 2. The server. Restore from the project files alone first, so the packages stay cached until
#    a project file or the central package versions change.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY grain-interfaces/Notifly.GrainInterfaces.csproj grain-interfaces/
COPY grains/Notifly.Grains.csproj grains/
COPY api/Notifly.Api.csproj api/
COPY silo/Notifly.Silo.csproj silo/
RUN dotnet restore silo/Notifly.Silo.csproj
COPY grain-interfaces/ grain-interfaces/
COPY grains/ grains/
COPY api/ api/
COPY silo/ silo/
# silo's project copies dashboard/dist beside the binary, as dashboard/.
COPY --from=dashboard /src/dashboard/dist/ dashboard/dist/
RUN dotnet publish silo/Notifly.Silo.csproj -c Release -o /out --no-restore -p:UseAppHost=false

# 3. Runtime: ASP.NET Core on Ubuntu 24.04 (the .NET 10 images have no Debian variant).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# The files stay root's: the app user can read them, not change them.
COPY --from=build /out/ ./
# appsettings.json sets Urls (localhost only), and it wins over ASPNETCORE_URLS; an environment
# variable named Urls wins over it. The base image's ASPNETCORE_HTTP_PORTS is cleared, or Kestrel
# warns that Urls overrides it.
ENV Urls=http://+:8080 \
    ASPNETCORE_HTTP_PORTS=
# "app", the non-root user of the Microsoft images (the Kubernetes manifests run as it too).
USER 1654
# HTTP (API, dashboard, /health); /metrics when Notifly__Metrics__Port=9090 (the manifests); Orleans
# silo-to-silo; Orleans client gateway.
EXPOSE 8080 9090 11111 30000
ENTRYPOINT ["dotnet", "notifly.dll"]
