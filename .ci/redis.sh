#!/usr/bin/env bash
# Makes sure CI has Redis. The @bearerguard/redis tests need the redis-server binary (they start their
# own servers, to kill, pause and restart them); the fleet demo needs a Redis on 127.0.0.1:6379.
# Installs redis-server with apt-get when it is missing (as root, or through passwordless sudo), then
# starts one on 6379 (daemonized, nothing persisted) unless one answers there already. Idempotent.
set -euo pipefail

PORT="${REDIS_PORT:-6379}"

# PING over bash's /dev/tcp, so that redis-cli is not needed.
ping_redis() {
	local reply
	{ exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 1
	printf 'PING\r\n' >&3
	IFS= read -r -t 2 reply <&3 || reply=""
	exec 3>&- 3<&-
	[[ "$reply" == "+PONG"* ]]
}

if ! command -v redis-server >/dev/null 2>&1; then
	echo "redis.sh: redis-server is missing; installing it"
	if [[ "$(id -u)" == 0 ]]; then
		SUDO=()
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO=(sudo -n)
	else
		echo "redis.sh: cannot install redis-server (not root, no passwordless sudo); install it first" >&2
		exit 1
	fi
	"${SUDO[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version

if ping_redis; then
	echo "redis.sh: Redis answers on 127.0.0.1:$PORT"
	exit 0
fi
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
	--logfile "${TMPDIR:-/tmp}/bearerguard-ci-redis.log" --pidfile "${TMPDIR:-/tmp}/bearerguard-ci-redis.pid"
for _ in $(seq 1 100); do
	if ping_redis; then
		echo "redis.sh: started Redis on 127.0.0.1:$PORT"
		exit 0
	fi
	sleep 0.1
done
echo "redis.sh: Redis did not answer on 127.0.0.1:$PORT; see ${TMPDIR:-/tmp}/bearerguard-ci-redis.log" >&2
exit 1
