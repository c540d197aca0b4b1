# A private PostgreSQL cluster for the benchmarks (sourced): never a server already running.
# pg_start DIR: initdb into DIR/pg (as the postgres user through setpriv when run as root),
# the server on a Unix socket only, in DIR/pg-run (mode 0700: the server's user, and root, alone
# reach it, so trusting who connects there trusts no one else), no TCP at all; sets PG_SOCKET,
# PG_PORT (the socket's number) and PG_USER. pg_createdb NAME makes a database; pg_url NAME is the vault's [store] url for it;
# pg_stop stops the server (DIR is removed by the caller).
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
pg_as() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
pg_start() {
    [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server programs (make deps installs postgresql)" >&2; return 2; }
    PG_DATA="$1/pg"
    PG_SOCKET="$1/pg-run"
    mkdir -p "$PG_DATA" "$PG_SOCKET"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DATA" "$PG_SOCKET"; chmod 755 "$1"; PG_USER=postgres; else PG_USER="$(id -un)"; fi
    chmod 700 "$PG_SOCKET"
    pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --auth-local=trust --auth-host=reject >/dev/null
    PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_SOCKET/server.log" -w -o "-k $PG_SOCKET -p $PG_PORT -c listen_addresses='' -c max_connections=200" start >/dev/null
    export PG_SOCKET PG_PORT PG_USER
}
pg_createdb() { pg_as "$PG_BIN/createdb" -h "$PG_SOCKET" -p "$PG_PORT" -U "$PG_USER" "$1"; }
pg_url() { echo "postgresql:///$1?host=$PG_SOCKET&port=$PG_PORT&user=$PG_USER"; }
pg_stop() { [ -n "${PG_DATA:-}" ] && pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true; }
