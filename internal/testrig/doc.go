// Package testrig gives tests access to the real-server test rig: a private
// Dovecot 2.3 on 127.0.0.1 that scripts/test.sh starts (see scripts/dovecot.sh)
// and describes through IMAPTEST_* environment variables, plus small fake
// servers for failure tests.
//
// A test that needs Dovecot calls [RequireDovecot]. Outside the rig (a plain
// go test) it skips with a hint to run ./scripts/test.sh; under CI (CI set)
// it fails instead, so a broken rig can never pass as a green run of skips.
//
// The rig's users are fixed ([Alice], [Bob], [Carol], [Dave]); every SASL
// mechanism Dovecot offers works for them: PLAIN, LOGIN, CRAM-MD5,
// SCRAM-SHA-1, SCRAM-SHA-256, and XOAUTH2/OAUTHBEARER with a token from
// [Dovecot.MintOAuthToken].
//
// Environment (exported by scripts/test.sh):
//
//	IMAPTEST_DOVECOT_ADDR      127.0.0.1:PORT, plaintext IMAP with STARTTLS
//	IMAPTEST_DOVECOT_TLS_ADDR  127.0.0.1:PORT, implicit TLS
//	IMAPTEST_CA_FILE           PEM CA of the server certificate (localhost, 127.0.0.1)
//	IMAPTEST_WRONG_CA_FILE     PEM of an unrelated CA
//	IMAPTEST_OAUTH_KEY         base64 of the HS256 key for XOAUTH2/OAUTHBEARER JWTs
//	IMAPTEST_DOVECOT_CONF      the generated dovecot.conf
//	IMAPTEST_DOVECOT_EXEC      command that speaks PREAUTH IMAP on stdin/stdout
//	                           once "-u USER" is appended (see [Dovecot.ExecArgs])
//	IMAPTEST_DOVECOT_PID_FILE  the master's pid file
//	IMAPTEST_DOVECOT_LOG       Dovecot's log file
package testrig
