// Package imap holds the vocabulary shared by every layer of imapclient-go:
// message numbers and sets, flags, capabilities, envelopes, body structures
// and the typed status responses a server sends.
//
// It does no I/O and imports nothing from the rest of the module, so the wire
// codec, the session layer, the client and the in-memory server can all speak
// in the same types. The protocol is IMAP4rev1 (RFC 3501) with the revisions
// of IMAP4rev2 (RFC 9051) where they matter.
package imap
