// Package mutf7 implements the modified UTF-7 encoding used for IMAP
// mailbox names, as defined in RFC 3501 section 5.1.3 ("Mailbox
// International Naming Convention").
//
// In modified UTF-7, printable US-ASCII characters (0x20 through 0x7e)
// other than "&" represent themselves. The character "&" is written as
// "&-". Every other character is written inside an encoded run: "&",
// followed by the UTF-16BE code units of the characters in modified
// base64 (the base64 alphabet of RFC 2045 with "," in place of "/" and
// without "=" padding), followed by "-".
//
// Encode converts a UTF-8 string to modified UTF-7. Decode is a strict
// decoder that rejects every input that is not in the canonical form
// required by RFC 3501, so that for any string s accepted by Decode,
// Encode(Decode(s)) == s. DecodeLenient is meant for data received from
// a server, such as LIST responses, where a single malformed name should
// not cause the whole response to fail.
package mutf7
