// Package testrig gives tests access to the servers they run against, and
// small fake servers for failure tests.
//
// # Targets
//
// The client's behaviour suite (the root package's integration tests)
// runs against one target per run, chosen by IMAPTEST_TARGET:
//
//	dovecot    (default) a private Dovecot 2.3 on 127.0.0.1 that
//	           scripts/test.sh starts (scripts/dovecot.sh)
//	cyrus      a private Cyrus IMAP 3.6 on 127.0.0.1 (scripts/cyrus.sh)
//	memserver  an imapmemserver started in the test binary on first use
//	           and shared by all its tests
//
// A behaviour test calls [RequireServer] and, for each feature it needs
// beyond the basics, [RequireFeature]: on a target that lacks the feature
// (the one table [Lacks] says which, and why) the test is skipped, never
// failed. Tests of Dovecot itself call [RequireDovecot], which skips on the
// other targets.
//
// Outside the rig (a plain go test) a test that needs Dovecot or Cyrus
// skips with a hint to run ./scripts/test.sh; under CI (CI set) it fails
// instead, so a broken rig can never pass as a green run of skips. The
// memserver needs nothing and always runs.
//
// The rig's servers are shared by every test of the run and must never be
// stopped. A test that kills the server calls [StartPrivateDovecot]
// instead: a Dovecot of its own, derived from IMAPTEST_DOVECOT_CONF (same
// users, certificate and plugins) with its own directory under /tmp and
// its own ports, which [PrivateDovecot.Kill] kills with SIGKILL (its
// whole process group: master, services and the per-connection imap
// processes) and [PrivateDovecot.Restart] starts again on the same mail.
// It needs root (its mail processes run as the rig's mail_uid); without
// root it skips, or fails under CI.
//
// The rig's users are the same on every target ([Alice], [Bob], [Carol],
// [Dave]). On Dovecot every SASL mechanism works for them: PLAIN, LOGIN,
// CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, and XOAUTH2/OAUTHBEARER with a
// token from [Server.MintOAuthToken]; Cyrus has all but the OAuth ones;
// the memserver has AUTHENTICATE PLAIN. All of them take the LOGIN command.
//
// Environment (exported by scripts/test.sh):
//
//	IMAPTEST_TARGET            dovecot (default), cyrus or memserver
//	IMAPTEST_DOVECOT_ADDR      127.0.0.1:PORT, plaintext IMAP with STARTTLS
//	IMAPTEST_DOVECOT_TLS_ADDR  127.0.0.1:PORT, implicit TLS
//	IMAPTEST_CA_FILE           PEM CA of the server certificate (localhost, 127.0.0.1)
//	IMAPTEST_WRONG_CA_FILE     PEM of an unrelated CA
//	IMAPTEST_OAUTH_KEY         base64 of the HS256 key for XOAUTH2/OAUTHBEARER JWTs
//	IMAPTEST_DOVECOT_CONF      the generated dovecot.conf
//	IMAPTEST_DOVECOT_EXEC      command that speaks PREAUTH IMAP on stdin/stdout
//	                           once "-u USER" is appended (see [Server.ExecArgs])
//	IMAPTEST_DOVECOT_PID_FILE  the master's pid file
//	IMAPTEST_DOVECOT_LOG       Dovecot's log file
//	IMAPTEST_CYRUS_ADDR        127.0.0.1:PORT, Cyrus's plaintext IMAP with STARTTLS
//	IMAPTEST_CYRUS_TLS_ADDR    127.0.0.1:PORT, Cyrus's implicit TLS
//	IMAPTEST_CYRUS_CA_FILE     PEM CA of Cyrus's certificate (default IMAPTEST_CA_FILE)
//	IMAPTEST_CYRUS_WRONG_CA_FILE  an unrelated CA (default IMAPTEST_WRONG_CA_FILE)
//	IMAPTEST_CYRUS_CONF        the generated imapd.conf
//	IMAPTEST_CYRUS_PID_FILE    the Cyrus master's pid file
//	IMAPTEST_CYRUS_LOG         the Cyrus master's output
package testrig
