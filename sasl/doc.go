// Package sasl implements client-side mechanisms of the Simple
// Authentication and Security Layer (SASL, RFC 4422) for use by an IMAP
// client (the AUTHENTICATE command of RFC 9051 section 6.2.2 / RFC 3501
// section 6.2.2, with the SASL-IR extension of RFC 4959).
//
// The package provides PLAIN (RFC 4616), LOGIN (non-standard),
// XOAUTH2 (Google and Microsoft), OAUTHBEARER (RFC 7628), SCRAM-SHA-1
// (RFC 5802) and SCRAM-SHA-256 (RFC 7677). No mechanism negotiates a
// security layer, and SCRAM is used without channel binding.
//
// # Driving an exchange
//
// A [Mechanism] value is used for exactly one authentication. The caller
// drives it as follows:
//
//  1. Call [Mechanism.Start]. If it reports an initial response and the
//     server supports SASL-IR, send it with the AUTHENTICATE command,
//     encoding an empty initial response as "=" (RFC 4959 section 3).
//     If the server does not support SASL-IR, send AUTHENTICATE without
//     it, wait for the server's first (empty) challenge and send the
//     initial response as the answer to it instead of calling Next
//     (RFC 4422 section 4).
//  2. For every further server challenge, base64-decode it and pass it to
//     [Mechanism.Next]; send the returned response. If Next returns an
//     error, abort the exchange with "*" (RFC 4422 section 3.5; RFC 9051
//     section 6.2.2) and treat authentication as failed.
//  3. When the server reports success, if the mechanism implements
//     [Finisher], call Finish with the "additional data with success"
//     (RFC 4422 section 3.6), or with nil when the server sent none. If
//     Finish returns an error, the server has not proved its identity:
//     treat the authentication as failed and close the connection.
//
// # Secrets
//
// Every response a mechanism produces (including the initial response)
// carries credentials or material derived from them. Callers must redact
// all client responses from logs and traces, whatever the mechanism; see
// [Secret]. Errors returned by this package never contain passwords or
// tokens, and the mechanism values format as their name only, so that
// printing one with the fmt package does not reveal credentials.
package sasl
