#!/bin/sh
# Sets the login passwords of the roles created by 10-schemas.sql, from the
# environment (docker-compose .env, or the dev overlay's Secrets). Runs once, on
# an empty data directory, from /docker-entrypoint-initdb.d.
set -eu
psql --no-psqlrc --set=ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=migrator="$NOVEL_DB_MIGRATOR_PASSWORD" \
    --set=gateway="$NOVEL_DB_GATEWAY_PASSWORD" \
    --set=character="$NOVEL_DB_CHARACTER_PASSWORD" \
    --set=simulation="$NOVEL_DB_SIMULATION_PASSWORD" \
    --set=story="$NOVEL_DB_STORY_PASSWORD" <<'SQL'
ALTER ROLE novel_migrator PASSWORD :'migrator';
ALTER ROLE gateway_svc PASSWORD :'gateway';
ALTER ROLE character_svc PASSWORD :'character';
ALTER ROLE simulation_svc PASSWORD :'simulation';
ALTER ROLE story_svc PASSWORD :'story';
SQL
