package imap

import "strings"

// Param is one parameter of a body part ("charset" = "utf-8"). Parameters
// keep the server's order; names compare case-insensitively.
type Param struct {
	Name, Value string
}

// BodyStructure describes a MIME part (RFC 3501 section 7.4.2, BODY and
// BODYSTRUCTURE). One type serves every kind of part: multipart parts have
// Parts; message/rfc822 parts have Envelope and Body; text parts have Lines.
type BodyStructure struct {
	// Type and Subtype are the media type as sent ("TEXT", "plain");
	// compare them with strings.EqualFold or use MediaType.
	Type, Subtype string
	// Params are the Content-Type parameters (for multipart: the
	// extension's body-fld-param).
	Params []Param

	ID          string // Content-ID
	Description string // Content-Description
	Encoding    string // Content-Transfer-Encoding
	Size        uint32 // body size in octets, in its transfer encoding
	Lines       uint32 // text/* and message/rfc822: size in lines

	Envelope *Envelope      // message/rfc822: the encapsulated envelope
	Body     *BodyStructure // message/rfc822: the encapsulated body

	Parts []*BodyStructure // multipart/*: the child parts, at least one

	// Extension data, present only in BODYSTRUCTURE (Extended is true).
	Extended          bool
	MD5               string
	Disposition       string // "attachment", "inline", ...
	DispositionParams []Param
	Language          []string
	Location          string
}

// IsMultipart reports whether b is a multipart/* part.
func (b *BodyStructure) IsMultipart() bool { return len(b.Parts) > 0 }

// MediaType returns "type/subtype" in lower case.
func (b *BodyStructure) MediaType() string {
	return strings.ToLower(b.Type) + "/" + strings.ToLower(b.Subtype)
}

// Param returns the value of the named parameter (case-insensitive), or ""
// when it is absent.
func (b *BodyStructure) Param(name string) string {
	for _, p := range b.Params {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// Filename returns the attachment's file name from the Content-Disposition
// "filename" parameter or the Content-Type "name" parameter, or "".
func (b *BodyStructure) Filename() string {
	for _, p := range b.DispositionParams {
		if strings.EqualFold(p.Name, "filename") {
			return p.Value
		}
	}
	return b.Param("name")
}

// Walk calls fn for b and every part below it, depth first, with the part's
// section number ("1", "1.2"; "" for the top). It goes into message/rfc822
// parts as RFC 3501 section 6.4.5 numbers them: the parts of an
// encapsulated multipart message 2 are 2.1, 2.2, ...; a single-part
// encapsulated body is 2.1 (the multipart container itself is not visited).
// It stops when fn returns false.
func (b *BodyStructure) Walk(fn func(section string, part *BodyStructure) bool) {
	b.walk("", fn)
}

func (b *BodyStructure) walk(path string, fn func(string, *BodyStructure) bool) bool {
	if !fn(path, b) {
		return false
	}
	if b.Body != nil {
		if path == "" {
			path = "1" // a message whose top part is message/rfc822 is part 1
		}
		if !b.Body.IsMultipart() {
			return b.Body.walk(joinSection(path, 1), fn)
		}
		return b.Body.walkParts(path, fn)
	}
	return b.walkParts(path, fn)
}

func joinSection(path string, i int) string {
	if path == "" {
		return itoa(i)
	}
	return path + "." + itoa(i)
}

func (b *BodyStructure) walkParts(path string, fn func(string, *BodyStructure) bool) bool {
	for i, p := range b.Parts {
		sub := itoa(i + 1)
		if path != "" {
			sub = path + "." + sub
		}
		if !p.walk(sub, fn) {
			return false
		}
	}
	return true
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
