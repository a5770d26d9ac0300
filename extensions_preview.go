package imapclient

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"io"
	"maps"
	"mime/quotedprintable"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/imapclient-go/imapclient/imap"
)

const (
	// previewFetchSize is how much of the text part the client-side
	// preview fetches.
	previewFetchSize = 1024
	// previewMaxChars is the longest preview, in characters (RFC 8970
	// section 3.1 asks for no more than 256; 200 is what servers give).
	previewMaxChars = 200
)

// FetchPreview returns a short plain-text preview of each message (RFC
// 8970), keyed by id as Fetch keys its results, with "" for a message
// without text. With the PREVIEW capability the server makes it (FETCH
// PREVIEW). Otherwise the client makes one the same way: it fetches the
// BODYSTRUCTURE, then the first 1 KB of each message's first text/plain
// part that is not an attachment (text/html, with the markup removed, when
// there is none), decodes the transfer encoding and the charset,
// collapses white space and keeps at most 200 characters. It needs a
// selected folder.
func (c *Client) FetchPreview(ctx context.Context, ms MessageSet) (map[uint32]string, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	has, err := c.hasCap(ctx, imap.CapPreview)
	c.unlock()
	if err != nil {
		return nil, err
	}
	out := map[uint32]string{}
	if has {
		msgs, err := c.Fetch(ctx, ms, []string{"PREVIEW"})
		for id, m := range msgs {
			out[id] = m.Preview
		}
		return out, err
	}
	msgs, err := c.Fetch(ctx, ms, []string{"BODYSTRUCTURE"})
	if err != nil {
		return nil, err
	}
	parts := map[string][]uint32{} // section -> ids
	bodies := map[uint32]*imap.BodyStructure{}
	for id, m := range msgs {
		out[id] = ""
		if m.BodyStructure == nil {
			continue
		}
		sec, part := previewPart(m.BodyStructure)
		if part != nil {
			parts[sec] = append(parts[sec], id)
			bodies[id] = part
		}
	}
	for _, sec := range slices.Sorted(maps.Keys(parts)) {
		ids := parts[sec]
		item := "BODY.PEEK[" + sec + "]<0." + strconv.Itoa(previewFetchSize) + ">"
		got, err := c.Fetch(ctx, IDs(ids), []string{item})
		if err != nil {
			return out, err
		}
		for id, m := range got {
			part := bodies[id]
			if data, ok := m.Section(item); ok && part != nil {
				out[id] = makePreview(part, data)
			}
		}
	}
	return out, nil
}

// previewPart returns the first text/plain part that is not an
// attachment, or failing that the first text/html one, with its section
// ("1" for a single-part message). Attached messages are not looked into.
func previewPart(bs *imap.BodyStructure) (string, *imap.BodyStructure) {
	var htmlSec string
	var htmlPart *imap.BodyStructure
	var walk func(sec string, p *imap.BodyStructure) (string, *imap.BodyStructure)
	walk = func(sec string, p *imap.BodyStructure) (string, *imap.BodyStructure) {
		if p.IsMultipart() {
			for i, sub := range p.Parts {
				s := strconv.Itoa(i + 1)
				if sec != "" {
					s = sec + "." + s
				}
				if rs, rp := walk(s, sub); rp != nil {
					return rs, rp
				}
			}
			return "", nil
		}
		if strings.EqualFold(p.Disposition, "attachment") {
			return "", nil
		}
		if sec == "" {
			sec = "1"
		}
		switch p.MediaType() {
		case "text/plain":
			return sec, p
		case "text/html":
			if htmlPart == nil {
				htmlSec, htmlPart = sec, p
			}
		}
		return "", nil
	}
	if sec, p := walk("", bs); p != nil {
		return sec, p
	}
	return htmlSec, htmlPart
}

// makePreview turns the start of a text part into a preview: transfer
// encoding and charset decoded, markup removed for HTML, white space
// collapsed, at most previewMaxChars characters.
func makePreview(part *imap.BodyStructure, data []byte) string {
	switch strings.ToLower(part.Encoding) {
	case "base64":
		data = decodePartialBase64(data)
	case "quoted-printable":
		// A cut escape at the end is an error: keep what came before.
		data, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data)))
	}
	cs := strings.ToLower(part.Param("charset"))
	if cs == "" || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" {
		data = trimPartialRune(data)
	}
	text := convertCharset(part.Param("charset"), data)
	if part.MediaType() == "text/html" {
		text = stripHTML(text)
	}
	text = strings.TrimRight(text, "\uFFFD")
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > previewMaxChars {
		n := 0
		for i := range text {
			if n == previewMaxChars {
				text = strings.TrimRight(text[:i], " ")
				break
			}
			n++
		}
	}
	return text
}

// decodePartialBase64 decodes the start of base64 text, ignoring line
// breaks and the incomplete group at the end of a partial fetch.
func decodePartialBase64(data []byte) []byte {
	clean := make([]byte, 0, len(data))
	for _, c := range data {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
			clean = append(clean, c)
		}
	}
	clean = clean[:len(clean)/4*4]
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, _ := base64.StdEncoding.Decode(out, clean)
	return out[:n]
}

// trimPartialRune removes a UTF-8 sequence cut at the end of data.
func trimPartialRune(data []byte) []byte {
	for i := 1; i <= 3 && i <= len(data); i++ {
		c := data[len(data)-i]
		if c < 0x80 {
			return data
		}
		if c >= 0xC0 { // a start byte: is its sequence complete?
			if !utf8.FullRune(data[len(data)-i:]) {
				return data[:len(data)-i]
			}
			return data
		}
	}
	return data
}

// stripHTML removes markup from HTML text: tags, comments and the content
// of style and script elements; entities are decoded.
func stripHTML(s string) string {
	var b strings.Builder
	lower := []byte(s) // ASCII case folded: indexes stay those of s
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		switch {
		case bytes.HasPrefix(lower[i:], []byte("<!--")):
			if j := strings.Index(s[i:], "-->"); j >= 0 {
				i += j + 3
			} else {
				i = len(s)
			}
			continue
		case bytes.HasPrefix(lower[i:], []byte("<style")), bytes.HasPrefix(lower[i:], []byte("<script")):
			end := "</style"
			if bytes.HasPrefix(lower[i:], []byte("<script")) {
				end = "</script"
			}
			if j := bytes.Index(lower[i:], []byte(end)); j >= 0 {
				i += j
			} else {
				i = len(s)
				continue
			}
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break // a tag cut by the partial fetch
		}
		b.WriteByte(' ')
		i += j + 1
	}
	return html.UnescapeString(b.String())
}
