#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (no systemd here) and creates the role and database the
# inventory tests use: postgres://ironic:ironic@127.0.0.1:5432/ironic_test. Idempotent.
set -euo pipefail

version="${PG_VERSION:-15}"
cluster="${PG_CLUSTER:-main}"
role="${IRONIC_TEST_PG_ROLE:-ironic}"
password="${IRONIC_TEST_PG_PASSWORD:-ironic}"
database="${IRONIC_TEST_PG_DATABASE:-ironic_test}"

if ! command -v pg_ctlcluster >/dev/null; then
    echo "start-postgres: pg_ctlcluster not found; install Debian's postgresql package (apt-get install postgresql)" >&2
    exit 1
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
    pg_createcluster "$version" "$cluster"
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
    pg_ctlcluster "$version" "$cluster" start
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi; }

for _ in $(seq 1 30); do
    as_postgres "psql -qAtc 'SELECT 1'" >/dev/null 2>&1 && break
    sleep 1
done

as_postgres "psql -v ON_ERROR_STOP=1 -qAt" <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
        CREATE ROLE $role LOGIN PASSWORD '$password';
    ELSE
        ALTER ROLE $role LOGIN PASSWORD '$password';
    END IF;
END
\$\$;
SQL
if [ "$(as_postgres "psql -qAtc \"SELECT 1 FROM pg_database WHERE datname = '$database'\"")" != 1 ]; then
    as_postgres "createdb -O $role $database"
fi
echo "start-postgres: postgres://$role:***@127.0.0.1:5432/$database ready"
