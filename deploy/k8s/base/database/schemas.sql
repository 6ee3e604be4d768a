-- Roles and schemas for Novel Engine: one schema per service, least privilege.
-- Runs once as the superuser in the application database: by the postgres image's
-- initdb hook (docker-compose, dev overlay) and by CloudNativePG's
-- postInitApplicationSQLRefs (prod). Idempotent; sets no passwords.
--
--   novel_migrator   owns the database and every schema; `novel migrate` runs as it.
--   <service>_svc    logs in as that service: USAGE on its own schema and DML on
--                    its tables only; no DDL, no access to other schemas.

DO $$
DECLARE
    svc text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'novel_migrator') THEN
        CREATE ROLE novel_migrator LOGIN;
    END IF;
    EXECUTE format('ALTER DATABASE %I OWNER TO novel_migrator', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;

    FOREACH svc IN ARRAY ARRAY['gateway', 'character', 'simulation', 'story'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = svc || '_svc') THEN
            EXECUTE format('CREATE ROLE %I LOGIN', svc || '_svc');
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), svc || '_svc');
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION novel_migrator', svc);
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', svc, svc || '_svc');
        -- Tables and sequences the migrator creates later become usable by the service.
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE novel_migrator IN SCHEMA %I '
                       'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', svc, svc || '_svc');
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE novel_migrator IN SCHEMA %I '
                       'GRANT USAGE, SELECT ON SEQUENCES TO %I', svc, svc || '_svc');
        -- And those that already exist, when this is re-run.
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I',
                       svc, svc || '_svc');
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', svc, svc || '_svc');
        EXECUTE format('ALTER ROLE %I SET search_path = %I', svc || '_svc', svc);
    END LOOP;
END
$$;
