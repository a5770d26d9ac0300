# shellcheck shell=bash
#
# scripts/dovecot.sh - start and stop a private, throwaway Dovecot on loopback.
#
# Source this file (do not execute it); scripts/test.sh and benchmark scripts
# share it. Functions:
#
#   dovecot_ensure_installed   install dovecot-core, dovecot-imapd and openssl
#                              with apt-get when dovecot is missing (root only)
#   dovecot_start DIR          write certificates, users, OAuth key and a
#                              dovecot.conf into DIR (an empty temp dir), start
#                              Dovecot from it, wait until both ports accept
#                              connections and export the IMAPTEST_* variables
#   dovecot_stop               stop exactly the Dovecot started by dovecot_start
#                              (by the pid in base_dir/master.pid) and wait for
#                              it to exit; safe to call more than once
#
# Knobs (environment, read by dovecot_start):
#   DOVECOT_RIG_QUOTA=0        leave out the quota plugins (quota costs ~12 ms
#                              per APPEND; benchmarks of writes want it off)
#   DOVECOT_RIG_EXTRA_CONF=... appended to the generated dovecot.conf (empty
#                              by default); a setting given again replaces
#                              the earlier one, a service block given again
#                              is merged into it (bench/idlemem.sh tunes
#                              login and stats for 1000 connections)
#
# Nothing is read from /etc/dovecot: the generated config includes no other
# file, and every directory Dovecot uses (base_dir, state_dir, logs, mail) lives
# in DIR. Dovecot listens on 127.0.0.1 only, on ports picked free at start. A
# system-wide dovecot (if the package install started one) is never touched and
# never tested against.
#
# Exported for the tests (see internal/testrig):
#   IMAPTEST_DOVECOT_ADDR      127.0.0.1:PORT, plaintext IMAP (STARTTLS offered)
#   IMAPTEST_DOVECOT_TLS_ADDR  127.0.0.1:PORT, implicit TLS (imaps)
#   IMAPTEST_CA_FILE           PEM of the CA that signed the server certificate
#                              (SAN DNS:localhost, IP:127.0.0.1)
#   IMAPTEST_WRONG_CA_FILE     PEM of an unrelated CA (verification must fail)
#   IMAPTEST_OAUTH_KEY         standard base64 of the HS256 key that Dovecot's
#                              oauth2 passdb checks XOAUTH2/OAUTHBEARER JWTs with
#   IMAPTEST_DOVECOT_CONF      path of the generated dovecot.conf
#   IMAPTEST_DOVECOT_EXEC      "/usr/lib/dovecot/imap -c CONF": split it on
#                              spaces (no shell), append "-u" USER and run it
#                              to get a PREAUTH IMAP session on stdin/stdout
#                              (userdb lookup through this Dovecot, so it
#                              must be running; drops to mail_uid). Its stdout
#                              must be a pipe, not a socket (as root, imap
#                              refuses a socket: "use imap-login instead");
#                              it logs to stderr. Not "doveadm exec imap":
#                              that runs imap with doveadm's settings (no
#                              METADATA, QUOTA, ACL, COMPRESS) and, with
#                              USER= instead of -u, takes the home from $HOME.
#   IMAPTEST_DOVECOT_PID_FILE  base_dir/master.pid of this Dovecot
#   IMAPTEST_DOVECOT_LOG       Dovecot's log file (useful when a test fails)
#
# Users (passwd-file, scheme=PLAIN): alice/alicepw, bob/bobpw,
# carol/pässwörd€ (UTF-8), dave/p a"ss\word (space, quote, backslash).

DOVECOT_BIN=$(command -v dovecot 2>/dev/null || echo /usr/sbin/dovecot)
DOVECOT_RIG_DIR=""
DOVECOT_RIG_PID_FILE=""
DOVECOT_RIG_LAUNCHED=0
DOVECOT_RIG_MASTER=""

dovecot_ensure_installed() {
	if [ -x "$DOVECOT_BIN" ] && command -v doveconf >/dev/null 2>&1 &&
		[ -x "$(_dovecot_libexec)/imap" ] && command -v openssl >/dev/null 2>&1; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "dovecot.sh: Dovecot (or openssl) is not installed and we are not root." >&2
		echo "dovecot.sh: install it with: apt-get install -y dovecot-core dovecot-imapd openssl" >&2
		return 1
	fi
	echo "dovecot.sh: installing dovecot-core dovecot-imapd openssl with apt-get" >&2
	# The package scripts try to start the system-wide dovecot through
	# invoke-rc.d; policy-rc.d normally denies that here. Either way we never
	# use it: our own instance has its own config, sockets and ports.
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		dovecot-core dovecot-imapd openssl >&2
	DOVECOT_BIN=$(command -v dovecot 2>/dev/null || echo /usr/sbin/dovecot)
}

# _dovecot_libexec: where Dovecot keeps its service binaries (imap, ...).
_dovecot_libexec() {
	doveconf -c /dev/null -h libexec_dir 2>/dev/null || echo /usr/lib/dovecot
}

# _dovecot_free_ports N: print N distinct free TCP ports on 127.0.0.1.
_dovecot_free_ports() {
	local n=$1
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$n" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
		return
	fi
	# Fallback: random high ports that nothing answers on (bash /dev/tcp).
	local ports=() p tries=0
	while [ "${#ports[@]}" -lt "$n" ] && [ "$tries" -lt 200 ]; do
		tries=$((tries + 1))
		p=$((20000 + RANDOM % 30000))
		case " ${ports[*]} " in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			ports+=("$p")
		fi
	done
	echo "${ports[*]}"
}

# _dovecot_port_open PORT: true when something accepts on 127.0.0.1:PORT.
_dovecot_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _dovecot_certs TLSDIR: a CA, a server certificate signed by it and an
# unrelated second CA. ECDSA P-256 keys: quick to generate.
_dovecot_certs() {
	local d=$1
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 3 \
		-subj "/CN=imapclient-go test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -x509 "${ec[@]}" -keyout "$d/wrong-ca.key" -out "$d/wrong-ca.pem" -days 3 \
		-subj "/CN=imapclient-go unrelated CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -new "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=localhost" 2>/dev/null
	cat >"$d/server.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/server.pem" -days 2 -extfile "$d/server.ext" 2>/dev/null
	chmod 600 "$d"/*.key
}

dovecot_start() {
	local dir=${1:?usage: dovecot_start DIR}
	dir=$(cd "$dir" && pwd)
	DOVECOT_RIG_DIR=$dir
	DOVECOT_RIG_PID_FILE=$dir/run/master.pid
	DOVECOT_RIG_LAUNCHED=0

	local mail_user=mail mail_group=mail
	if ! getent passwd mail >/dev/null || ! getent group mail >/dev/null; then
		mail_user=nobody
		mail_group=nogroup
	fi

	# Mail and login processes run unprivileged: they must be able to reach
	# their files through DIR (mktemp -d makes it 0700).
	chmod 755 "$dir"
	mkdir -p "$dir/tls" "$dir/run" "$dir/state" "$dir/mail" "$dir/keys/default/HS256"
	chown "$mail_user:$mail_group" "$dir/mail"
	chmod 700 "$dir/mail"

	_dovecot_certs "$dir/tls"

	# Users: name:password::::: (the scheme is PLAIN for every line, so SCRAM
	# and CRAM-MD5 work too). Passwords must not contain ':' or start with '{'.
	printf '%s\n' \
		'alice:alicepw::::::' \
		'bob:bobpw::::::' \
		'carol:pässwörd€::::::' \
		'dave:p a"ss\word::::::' >"$dir/passwd"
	chmod 644 "$dir/passwd"

	# HS256 key for the oauth2 passdb's local JWT validation. Dovecot looks up
	# shared/<azp|default>/<alg>/<kid|default> in the dict; the value is the
	# base64 of the key.
	local oauth_key
	oauth_key=$(openssl rand -base64 32)
	printf '%s' "$oauth_key" >"$dir/keys/default/HS256/default"
	chmod -R a+rX "$dir/keys"
	cat >"$dir/dovecot-oauth2.conf.ext" <<EOF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$dir/keys/
username_attribute = sub
username_format = %u
EOF
	chmod 644 "$dir/dovecot-oauth2.conf.ext"

	local libexec_dir port tls_port attempt
	libexec_dir=$(_dovecot_libexec)
	# Another process may take a port between our pick and Dovecot's bind
	# (parallel test runs): then Dovecot exits and we try new ports.
	for attempt in 1 2 3; do
		read -r port tls_port <<<"$(_dovecot_free_ports 2)"
		if [ -z "${port:-}" ] || [ -z "${tls_port:-}" ]; then
			echo "dovecot.sh: could not find two free ports" >&2
			return 1
		fi
		_dovecot_write_conf "$dir" "$port" "$tls_port" || return 1
		_dovecot_launch "$dir" "$port" "$tls_port" && break
		if [ "$attempt" = 3 ] || ! grep -q "Address already in use" "$dir/dovecot.log" "$dir/dovecot.start.log" 2>/dev/null; then
			return 1
		fi
		echo "dovecot.sh: port $port or $tls_port was taken meanwhile; retrying with other ports" >&2
		rm -f "$dir/dovecot.log" "$dir/dovecot.start.log" "$DOVECOT_RIG_PID_FILE"
	done
	local conf=$dir/dovecot.conf

	export IMAPTEST_DOVECOT_ADDR="127.0.0.1:$port"
	export IMAPTEST_DOVECOT_TLS_ADDR="127.0.0.1:$tls_port"
	export IMAPTEST_CA_FILE="$dir/tls/ca.pem"
	export IMAPTEST_WRONG_CA_FILE="$dir/tls/wrong-ca.pem"
	export IMAPTEST_OAUTH_KEY="$oauth_key"
	export IMAPTEST_DOVECOT_CONF="$conf"
	export IMAPTEST_DOVECOT_EXEC="$libexec_dir/imap -c $conf"
	export IMAPTEST_DOVECOT_PID_FILE="$DOVECOT_RIG_PID_FILE"
	export IMAPTEST_DOVECOT_LOG="$dir/dovecot.log"
	echo "dovecot.sh: Dovecot $("$DOVECOT_BIN" --version | cut -d' ' -f1) on $IMAPTEST_DOVECOT_ADDR (STARTTLS) and $IMAPTEST_DOVECOT_TLS_ADDR (TLS), pid $(cat "$DOVECOT_RIG_PID_FILE"), dir $dir" >&2
}

# _dovecot_write_conf DIR PORT TLS_PORT: write DIR/dovecot.conf and check it
# with doveconf. Uses mail_user and mail_group of the caller, dovecot_start.
_dovecot_write_conf() {
	local dir=$1 port=$2 tls_port=$3
	local plugins="quota acl zlib notify" imap_plugins="imap_quota imap_acl imap_zlib"
	local quota_plugin_settings="  quota = count:User quota
  quota_rule = *:storage=1G
  quota_vsizes = yes"
	if [ "${DOVECOT_RIG_QUOTA:-1}" = 0 ]; then
		plugins="acl zlib notify"
		imap_plugins="imap_acl imap_zlib"
		quota_plugin_settings=""
	fi

	local conf=$dir/dovecot.conf
	cat >"$conf" <<EOF
# Generated by scripts/dovecot.sh for tests. Includes no other file.
instance_name = $(basename "$dir")
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
debug_log_path = $dir/dovecot.log

protocols = imap
listen = 127.0.0.1

ssl = yes
ssl_cert = <$dir/tls/server.pem
ssl_key = <$dir/tls/server.key
ssl_min_protocol = TLSv1.2

disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 xoauth2 oauthbearer
auth_failure_delay = 0
# Log why an authentication failed (handy when a test fails).
auth_verbose = yes

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
  mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
}
passdb {
  driver = oauth2
  args = $dir/dovecot-oauth2.conf.ext
  mechanisms = xoauth2 oauthbearer
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
  default_fields = home=$dir/mail/%u
}

mail_uid = $mail_user
mail_gid = $mail_group
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir:LAYOUT=fs
mail_fsync = never
# Every imap process runs as the mail user and shares its inotify
# instances (128 by default); when a busy test run exhausts them Dovecot
# falls back to polling, every 30 s by default. Poll every second instead,
# so IDLE updates arrive promptly either way.
mailbox_idle_check_interval = 1 secs
mail_plugins = $plugins
mail_attribute_dict = file:%h/dovecot-attributes
mail_max_userip_connections = 1000
default_process_limit = 1024

namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

protocol imap {
  mail_plugins = \$mail_plugins $imap_plugins
  imap_metadata = yes
}

plugin {
$quota_plugin_settings
  acl = vfile
}

# default_process_limit = 1024 makes doveconf ask for these client limits.
service auth {
  client_limit = 4096
}
service anvil {
  client_limit = 4096
  # No growing per-IP delay after failed logins (2, 4, 8, 15 s): tests fail
  # logins on purpose, all from 127.0.0.1.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $tls_port
    ssl = yes
  }
}
EOF

	if [ -n "${DOVECOT_RIG_EXTRA_CONF:-}" ]; then
		printf '\n# DOVECOT_RIG_EXTRA_CONF\n%s\n' "$DOVECOT_RIG_EXTRA_CONF" >>"$conf"
	fi

	if ! doveconf -c "$conf" -n >"$dir/doveconf.out" 2>"$dir/doveconf.err"; then
		echo "dovecot.sh: doveconf rejected $conf:" >&2
		cat "$dir/doveconf.err" >&2
		return 1
	fi
	if [ -s "$dir/doveconf.err" ]; then
		echo "dovecot.sh: doveconf warnings:" >&2
		cat "$dir/doveconf.err" >&2
	fi
}

# _dovecot_launch DIR PORT TLS_PORT: start Dovecot and wait until it accepts
# connections on both ports; on failure print its log and return 1.
_dovecot_launch() {
	local dir=$1 port=$2 tls_port=$3 conf=$1/dovecot.conf
	# -F keeps the master in the foreground as our background child (its pid,
	# $!, is also what it writes to base_dir/master.pid), so dovecot_stop can
	# reap it instead of leaving a zombie for init. No inherited stdout or
	# stderr, or a caller reading our output would hang.
	DOVECOT_RIG_LAUNCHED=1
	"$DOVECOT_BIN" -F -c "$conf" </dev/null >>"$dir/dovecot.start.log" 2>&1 &
	local master=$!
	DOVECOT_RIG_MASTER=$master

	local deadline=$((SECONDS + 15))
	until _dovecot_port_open "$port" && _dovecot_port_open "$tls_port" && [ -s "$DOVECOT_RIG_PID_FILE" ]; do
		if ! _dovecot_alive "$master"; then
			wait "$master" 2>/dev/null || true
			DOVECOT_RIG_LAUNCHED=0
			echo "dovecot.sh: dovecot exited during start-up; its output and log:" >&2
			cat "$dir/dovecot.start.log" "$dir/dovecot.log" >&2 2>/dev/null || true
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "dovecot.sh: Dovecot did not accept connections on ports $port/$tls_port within 15 s; its log:" >&2
			cat "$dir/dovecot.start.log" "$dir/dovecot.log" >&2 2>/dev/null || true
			return 1
		fi
		sleep 0.05
	done
}

# _dovecot_alive PID: true while PID runs. An exited process lingers as a
# zombie until its parent reaps it, and kill -0 still succeeds on a zombie.
_dovecot_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

dovecot_stop() {
	[ "$DOVECOT_RIG_LAUNCHED" = 1 ] || return 0
	DOVECOT_RIG_LAUNCHED=0
	local pidfile=$DOVECOT_RIG_PID_FILE master=$DOVECOT_RIG_MASTER pid i cmdline
	# The master may still be about to write its pid file.
	for ((i = 0; i < 50; i++)); do
		[ -s "$pidfile" ] && break
		_dovecot_alive "$master" || break
		sleep 0.1
	done
	pid=$(cat "$pidfile" 2>/dev/null || true)
	[ -n "$pid" ] || pid=$master
	# Guard against a recycled pid: signal it only if it is the master
	# started with our config (gone already, or a zombie: nothing to stop).
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
	case "$cmdline" in
	*"-c $DOVECOT_RIG_DIR/dovecot.conf"*)
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			_dovecot_alive "$pid" || break
			sleep 0.05
		done
		if _dovecot_alive "$pid"; then
			echo "dovecot.sh: Dovecot (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.1
		fi
		;;
	esac
	# Reap our child (dovecot -F), so no zombie is left behind.
	if ! _dovecot_alive "$master"; then
		wait "$master" 2>/dev/null || true
	fi
}
