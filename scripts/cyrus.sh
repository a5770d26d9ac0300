# shellcheck shell=bash
#
# scripts/cyrus.sh - start and stop a private, throwaway Cyrus IMAP 3.6 on
# loopback, next to the rig's Dovecot.
#
# Source this file (do not execute it); scripts/test.sh uses it. Functions:
#
#   cyrus_ensure_installed   install cyrus-common, sasl2-bin and openssl
#                            with apt-get when missing (root only), and
#                            unpack cyrus-imapd into a private prefix
#   cyrus_start DIR          write certificates, a sasldb with the rig's
#                            users, imapd.conf and cyrus.conf into DIR (an
#                            empty temp dir, on tmpfs for speed), start
#                            Cyrus's master from it, wait until both ports
#                            accept connections and export IMAPTEST_CYRUS_*
#   cyrus_stop               stop exactly the master started by cyrus_start
#                            (by its pid file) and wait for it and its
#                            children to exit; safe to call more than once
#
# Why a private prefix: cyrus-imapd and dovecot-imapd conflict in apt (both
# provide imap-server), so installing one removes the other. cyrus-common
# (master, ctl_cyrusdb, ...) installs next to Dovecot; the imapd and idled
# binaries come from "apt-get download cyrus-imapd" (kept in
# $CYRUS_DEB_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/imapclient-go, for
# later runs), unpacked by cyrus_start with "dpkg-deb -x" into DIR/prefix,
# where the cyrus user can run them. The package's version must equal
# cyrus-common's.
#
# Knobs (environment, read by cyrus_start):
#   CYRUS_RIG_CA_DIR     a directory with ca.pem, ca.key and wrong-ca.pem (the
#                        Dovecot rig's DIR/tls): the server certificate is
#                        signed by that CA, so one CA file verifies both
#                        servers. Unset: cyrus_start makes its own CAs.
#
# Nothing is read from /etc/imapd.conf or /etc/cyrus.conf: master gets -C
# and -M, and every cmd= in cyrus.conf carries its own "-C DIR/imapd.conf"
# (without it the children silently read /etc/imapd.conf). Cyrus listens on
# 127.0.0.1 only, on ports picked free at start. A system-wide Cyrus is never
# touched. Processes run as the cyrus user (master drops root itself), so
# DIR is handed to cyrus:mail.
#
# Exported for the tests (see internal/testrig):
#   IMAPTEST_CYRUS_ADDR           127.0.0.1:PORT, plaintext IMAP (STARTTLS offered)
#   IMAPTEST_CYRUS_TLS_ADDR       127.0.0.1:PORT, implicit TLS
#   IMAPTEST_CYRUS_CA_FILE        PEM of the CA that signed the certificate
#                                 (SAN DNS:localhost, IP:127.0.0.1)
#   IMAPTEST_CYRUS_WRONG_CA_FILE  PEM of an unrelated CA
#   IMAPTEST_CYRUS_CONF           the generated imapd.conf
#   IMAPTEST_CYRUS_PID_FILE       the master's pid file
#   IMAPTEST_CYRUS_LOG            the master's stdout/stderr (Cyrus itself
#                                 logs to syslog only, and these machines
#                                 have no /dev/log: to see a session, create
#                                 DIR/config/log/USER before it logs in and
#                                 imapd writes a protocol telemetry log there)
#
# Users (sasldb, plaintext secrets, so PLAIN, LOGIN, CRAM-MD5 and SCRAM all
# work): alice/alicepw, bob/bobpw, carol/pässwörd€, dave/p a"ss\word, as in
# the Dovecot rig. INBOX, Sent, Drafts, Trash, Junk and Archive (with their
# special-use attributes) are created at a user's first login, with a
# 1 GiB STORAGE quota.

CYRUS_LIBEXEC=/usr/lib/cyrus/bin
CYRUS_RIG_DIR=""
CYRUS_RIG_PID_FILE=""
CYRUS_RIG_LAUNCHED=0
CYRUS_RIG_MASTER=""

# _cyrus_version: the installed cyrus-common version, or nothing.
_cyrus_version() {
	dpkg-query -W -f='${Status} ${Version}' cyrus-common 2>/dev/null |
		awk '$1 == "install" && $3 == "installed" {print $4}'
}

# _cyrus_deb: where the cyrus-imapd package of cyrus-common's version is
# kept.
_cyrus_deb() {
	local v
	v=$(_cyrus_version)
	echo "${CYRUS_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imapclient-go}/cyrus-imapd_${v:-none}.deb"
}

cyrus_ensure_installed() {
	if [ ! -x "$CYRUS_LIBEXEC/master" ] || ! command -v saslpasswd2 >/dev/null 2>&1 ||
		! command -v openssl >/dev/null 2>&1 || [ -z "$(_cyrus_version)" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "cyrus.sh: Cyrus (cyrus-common, sasl2-bin) is not installed and we are not root." >&2
			echo "cyrus.sh: install it with: apt-get install -y --no-install-recommends cyrus-common sasl2-bin openssl" >&2
			return 1
		fi
		echo "cyrus.sh: installing cyrus-common sasl2-bin openssl with apt-get" >&2
		# Without recommends: cyrus-common recommends cyrus-imapd, which
		# would remove dovecot-imapd. No service is started (policy-rc.d),
		# and we would never use it anyway.
		DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			cyrus-common sasl2-bin openssl >&2; then
			echo "cyrus.sh: apt-get could not install cyrus-common sasl2-bin openssl" >&2
			return 1
		fi
	fi
	local version deb
	version=$(_cyrus_version)
	deb=$(_cyrus_deb)
	if [ -s "$deb" ] && dpkg-deb -f "$deb" Package >/dev/null 2>&1; then
		return 0
	fi
	echo "cyrus.sh: downloading cyrus-imapd $version (unpacked privately: it conflicts with dovecot-imapd)" >&2
	local dl
	dl=$(mktemp -d "${TMPDIR:-/tmp}/cyrus-imapd-deb.XXXXXX")
	# apt-get download writes into the current directory; as root it warns
	# that the _apt user cannot write there, and downloads anyway.
	if ! (cd "$dl" && apt-get download -q "cyrus-imapd=$version" >/dev/null 2>"$dl/apt.err") &&
		! { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
			(cd "$dl" && apt-get download -q "cyrus-imapd=$version" >/dev/null 2>"$dl/apt.err"); }; then
		echo "cyrus.sh: apt-get download cyrus-imapd=$version failed:" >&2
		cat "$dl/apt.err" >&2
		rm -rf "$dl"
		return 1
	fi
	mkdir -p "$(dirname "$deb")"
	mv "$dl"/cyrus-imapd_*.deb "$deb.tmp.$$" && mv "$deb.tmp.$$" "$deb"
	rm -rf "$dl"
	dpkg-deb -f "$deb" Package >/dev/null || {
		echo "cyrus.sh: $deb is not a Debian package" >&2
		return 1
	}
}

# _cyrus_free_ports N: print N distinct free TCP ports on 127.0.0.1.
_cyrus_free_ports() {
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
		if ! _cyrus_port_open "$p"; then
			ports+=("$p")
		fi
	done
	echo "${ports[*]}"
}

_cyrus_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _cyrus_alive PID: true while PID runs (a zombie counts as gone).
_cyrus_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# _cyrus_certs TLSDIR: a server certificate for localhost and 127.0.0.1,
# signed by $CYRUS_RIG_CA_DIR's CA or by a new one (with an unrelated
# second CA for the tests). ECDSA P-256: quick to generate.
_cyrus_certs() {
	local d=$1
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	local ca_dir=${CYRUS_RIG_CA_DIR:-}
	if [ -z "$ca_dir" ]; then
		ca_dir=$d
		for ca in ca wrong-ca; do
			openssl req -x509 "${ec[@]}" -keyout "$d/$ca.key" -out "$d/$ca.pem" -days 3 \
				-subj "/CN=imapclient-go test $ca (Cyrus rig)" \
				-addext "basicConstraints=critical,CA:TRUE" \
				-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
		done
	else
		cp "$ca_dir/ca.pem" "$ca_dir/wrong-ca.pem" "$d/"
	fi
	openssl req -new "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=localhost" 2>/dev/null || return 1
	cat >"$d/server.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
	openssl x509 -req -in "$d/server.csr" -CA "$ca_dir/ca.pem" -CAkey "$ca_dir/ca.key" \
		-CAcreateserial -CAserial "$d/ca.srl" -out "$d/server.pem" -days 2 \
		-extfile "$d/server.ext" 2>/dev/null || return 1
	rm -f "$d"/*.csr "$d"/ca.key "$d"/wrong-ca.key
	chmod 600 "$d/server.key"
}

cyrus_start() {
	local dir=${1:?usage: cyrus_start DIR}
	dir=$(cd "$dir" && pwd)
	CYRUS_RIG_DIR=$dir
	CYRUS_RIG_PID_FILE=$dir/run/master.pid
	CYRUS_RIG_LAUNCHED=0
	local deb bin=$dir/prefix/usr/lib/cyrus/bin
	deb=$(_cyrus_deb)
	if [ ! -s "$deb" ]; then
		echo "cyrus.sh: no $deb: run cyrus_ensure_installed first" >&2
		return 1
	fi
	mkdir -p "$dir/prefix"
	if ! dpkg-deb -x "$deb" "$dir/prefix" || [ ! -x "$bin/imapd" ]; then
		echo "cyrus.sh: could not unpack imapd from $deb" >&2
		return 1
	fi

	chmod 755 "$dir"
	mkdir -p "$dir/tls" "$dir/run" "$dir/config/socket" "$dir/spool"
	_cyrus_certs "$dir/tls" || {
		echo "cyrus.sh: openssl could not make the certificates" >&2
		return 1
	}

	# sasldb with the rig's users; saslpasswd2 reads the password from
	# stdin (-p), so spaces, quotes and UTF-8 pass as they are. The realm
	# is the servername, which Cyrus uses for unqualified user names.
	local user pw
	while IFS=: read -r user pw; do
		printf '%s' "$pw" | saslpasswd2 -p -c -f "$dir/sasldb2" -u localhost "$user" || {
			echo "cyrus.sh: saslpasswd2 failed for $user" >&2
			return 1
		}
	done <<'EOF'
alice:alicepw
bob:bobpw
carol:pässwörd€
dave:p a"ss\word
EOF

	local port tls_port attempt
	for attempt in 1 2 3; do
		read -r port tls_port <<<"$(_cyrus_free_ports 2)"
		if [ -z "${port:-}" ] || [ -z "${tls_port:-}" ]; then
			echo "cyrus.sh: could not find two free ports" >&2
			return 1
		fi
		_cyrus_write_conf "$dir" "$bin" "$port" "$tls_port"
		chown -R cyrus:mail "$dir"
		_cyrus_launch "$dir" "$port" "$tls_port" && break
		if [ "$attempt" = 3 ]; then
			return 1
		fi
		echo "cyrus.sh: start on ports $port/$tls_port failed; retrying with other ports" >&2
		rm -f "$CYRUS_RIG_PID_FILE"
	done

	export IMAPTEST_CYRUS_ADDR="127.0.0.1:$port"
	export IMAPTEST_CYRUS_TLS_ADDR="127.0.0.1:$tls_port"
	export IMAPTEST_CYRUS_CA_FILE="$dir/tls/ca.pem"
	export IMAPTEST_CYRUS_WRONG_CA_FILE="$dir/tls/wrong-ca.pem"
	export IMAPTEST_CYRUS_CONF="$dir/imapd.conf"
	export IMAPTEST_CYRUS_PID_FILE="$CYRUS_RIG_PID_FILE"
	export IMAPTEST_CYRUS_LOG="$dir/master.log"
	echo "cyrus.sh: Cyrus $(_cyrus_version) on $IMAPTEST_CYRUS_ADDR (STARTTLS) and $IMAPTEST_CYRUS_TLS_ADDR (TLS), pid $(cat "$CYRUS_RIG_PID_FILE"), dir $dir" >&2
}

# _cyrus_write_conf DIR BIN PORT TLS_PORT: write DIR/imapd.conf and
# DIR/cyrus.conf.
_cyrus_write_conf() {
	local dir=$1 bin=$2 port=$3 tls_port=$4
	cat >"$dir/imapd.conf" <<EOF
# Generated by scripts/cyrus.sh for tests.
configdirectory: $dir/config
partition-default: $dir/spool
defaultpartition: default
servername: localhost
serverinfo: on
idlesocket: $dir/config/socket/idle
lmtpsocket: $dir/config/socket/lmtp
notifysocket: $dir/config/socket/notify

# The defaults of 3.x, spelled out: "/" separates levels, and personal
# folders sit next to INBOX ("Sent", not "INBOX/Sent").
unixhierarchysep: yes
altnamespace: yes

# Real SASL against our own sasldb; LOGIN and AUTHENTICATE PLAIN over
# plaintext too (the client decides), and no 3 s pause after a failure.
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $dir/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256
allowplaintext: yes
failedloginpause: 0

tls_server_cert: $dir/tls/server.pem
tls_server_key: $dir/tls/server.key
tls_versions: tls1_2 tls1_3
tls_session_timeout: 0

# INBOX and the special-use folders appear at the first login, like
# Dovecot's auto = subscribe, with a 1 GiB quota (in KiB) like the Dovecot
# rig's.
autocreate_quota: 1048576
autocreate_inbox_folders: Sent | Drafts | Trash | Junk | Archive
autocreate_subscribe_folders: Sent | Drafts | Trash | Junk | Archive
xlist-sent: Sent
xlist-drafts: Drafts
xlist-trash: Trash
xlist-junk: Junk
xlist-archive: Archive

# Deleted folders go at once (not to a DELETED hierarchy for cyr_expire).
delete_mode: immediate
# METADATA entries beyond Cyrus's own list, as Dovecot allows.
annotation_allow_undefined: yes
# idled pushes changes to IDLE sessions; should it be unreachable, poll
# every second rather than every minute.
imapidlepoll: 1
EOF
	cat >"$dir/cyrus.conf" <<EOF
# Generated by scripts/cyrus.sh for tests. Every command names its
# imapd.conf: without -C the children read /etc/imapd.conf.
START {
  recover cmd="$CYRUS_LIBEXEC/ctl_cyrusdb -C $dir/imapd.conf -r"
}
SERVICES {
  imap  cmd="$bin/imapd -C $dir/imapd.conf" listen="127.0.0.1:$port" proto=tcp4 prefork=1
  imaps cmd="$bin/imapd -s -C $dir/imapd.conf" listen="127.0.0.1:$tls_port" proto=tcp4 prefork=1
}
EVENTS {
}
DAEMON {
  idled cmd="$bin/idled -C $dir/imapd.conf"
}
EOF
}

# _cyrus_launch DIR PORT TLS_PORT: start master and wait until it accepts
# connections on both ports; on failure print its output and return 1.
_cyrus_launch() {
	local dir=$1 port=$2 tls_port=$3
	# Without -d, master stays in the foreground as our background child
	# ($!), so cyrus_stop can reap it. No inherited stdout or stderr, or a
	# caller reading our output would hang.
	CYRUS_RIG_LAUNCHED=1
	"$CYRUS_LIBEXEC/master" -C "$dir/imapd.conf" -M "$dir/cyrus.conf" \
		-p "$CYRUS_RIG_PID_FILE" -l 256 </dev/null >>"$dir/master.log" 2>&1 &
	CYRUS_RIG_MASTER=$!

	local deadline=$((SECONDS + 15))
	until _cyrus_port_open "$port" && _cyrus_port_open "$tls_port" && [ -s "$CYRUS_RIG_PID_FILE" ]; do
		if ! _cyrus_alive "$CYRUS_RIG_MASTER"; then
			wait "$CYRUS_RIG_MASTER" 2>/dev/null || true
			CYRUS_RIG_LAUNCHED=0
			echo "cyrus.sh: master exited during start-up; its output:" >&2
			cat "$dir/master.log" >&2 2>/dev/null || true
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "cyrus.sh: Cyrus did not accept connections on ports $port/$tls_port within 15 s; master's output:" >&2
			cat "$dir/master.log" >&2 2>/dev/null || true
			cyrus_stop
			return 1
		fi
		sleep 0.05
	done
}

cyrus_stop() {
	[ "$CYRUS_RIG_LAUNCHED" = 1 ] || return 0
	CYRUS_RIG_LAUNCHED=0
	local master=$CYRUS_RIG_MASTER pid i cmdline
	pid=$(cat "$CYRUS_RIG_PID_FILE" 2>/dev/null || true)
	[ -n "$pid" ] || pid=$master
	# Guard against a recycled pid: signal it only if it is the master
	# started with our config. On SIGTERM master stops its children too.
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
	case "$cmdline" in
	*"-C $CYRUS_RIG_DIR/imapd.conf"*)
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			_cyrus_alive "$pid" || break
			sleep 0.05
		done
		if _cyrus_alive "$pid"; then
			echo "cyrus.sh: Cyrus master (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.1
		fi
		;;
	esac
	if ! _cyrus_alive "$master"; then
		wait "$master" 2>/dev/null || true
	fi
}
