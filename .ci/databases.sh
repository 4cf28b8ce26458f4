#!/usr/bin/env bash
# Installs (when absent) and starts PostgreSQL and MariaDB on loopback for
# the SQL source tests, creates a database "logbook" and a user "logbook"
# in each, and prints the addresses as export lines:
#   eval "$(bash .ci/databases.sh)"
# Progress goes to standard error. Runs as root (CI) or with sudo.
set -euo pipefail
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
pw=logbook-test-pw
need=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || need+=(mariadb-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2
fi

# PostgreSQL: Debian's cluster, started with pg_ctlcluster (it listens on
# localhost, port 5432 unless taken).
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q .; then $sudo pg_createcluster "$ver" main >&2; fi
read -r cver cname cport cstatus _ < <(pg_lsclusters -h | head -1)
[ "$cstatus" = online ] || $sudo pg_ctlcluster "$cver" "$cname" start >&2
psql_su() { $sudo runuser -u postgres -- psql -p "$cport" -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_su -c "SELECT 1 FROM pg_roles WHERE rolname='logbook'" | grep -q 1 ||
  psql_su -c "CREATE ROLE logbook LOGIN PASSWORD '$pw'" >&2
psql_su -c "SELECT 1 FROM pg_database WHERE datname='logbook'" | grep -q 1 ||
  psql_su -c "CREATE DATABASE logbook OWNER logbook" >&2

# MariaDB: the service, or mysqld_safe where there is no init system.
if ! mysqladmin ping >/dev/null 2>&1; then
  $sudo service mariadb start >&2 2>&1 || true
  if ! mysqladmin ping >/dev/null 2>&1; then
    $sudo mkdir -p /run/mysqld && $sudo chown mysql:mysql /run/mysqld
    ($sudo mysqld_safe --bind-address=127.0.0.1 >/dev/null 2>&1 &)
  fi
  for _ in $(seq 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 1; done
fi
$sudo mysql -e "CREATE DATABASE IF NOT EXISTS logbook;
  CREATE USER IF NOT EXISTS 'logbook'@'127.0.0.1' IDENTIFIED BY '$pw';
  CREATE USER IF NOT EXISTS 'logbook'@'localhost' IDENTIFIED BY '$pw';
  GRANT ALL ON logbook.* TO 'logbook'@'127.0.0.1';
  GRANT ALL ON logbook.* TO 'logbook'@'localhost';" >&2
myport=$($sudo mysql -Nse 'SELECT @@port')

echo "export LOGBOOK_TEST_POSTGRES='postgres://logbook:$pw@127.0.0.1:$cport/logbook'"
echo "export LOGBOOK_TEST_MYSQL='mysql://logbook:$pw@127.0.0.1:$myport/logbook'"
