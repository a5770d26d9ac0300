package imapwire

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
)

// timeoutError is what a net.Conn returns when a read deadline passes.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// stutterReader serves data in pieces of at most chunk bytes (0: as much
// as asked) and fails with a timeout once before every piece (every) or
// when the offset reaches one of at.
type stutterReader struct {
	data  []byte
	pos   int
	chunk int
	every bool
	at    map[int]bool
	fired bool
}

func (r *stutterReader) Read(p []byte) (int, error) {
	if r.pos >= len(r.data) {
		return 0, io.EOF
	}
	if !r.fired && (r.every || r.at[r.pos]) {
		r.fired = true
		if r.at != nil {
			delete(r.at, r.pos)
		}
		return 0, timeoutError{}
	}
	r.fired = false
	n := len(r.data) - r.pos
	if r.chunk > 0 && n > r.chunk {
		n = r.chunk
	}
	for k := range r.at { // stop right before the next timeout
		if k > r.pos && k-r.pos < n {
			n = k - r.pos
		}
	}
	n = copy(p, r.data[r.pos:r.pos+n])
	r.pos += n
	return n, nil
}

// sumOpts says how summarize drives the decoder.
type sumOpts struct {
	retry bool // call again after a timeout
	// prefix is how many bytes of each streamed section to read before
	// moving on (-1: all of it); the rest is left to the decoder to skip.
	prefix int64
	// readSize is the buffer size used to read streamed sections.
	readSize int
}

var allOpts = sumOpts{prefix: -1, readSize: 7}

// maxCalls bounds every decoding loop of the tests: a decoder that stops
// making progress is a bug, not a hang.
const maxCalls = 1 << 20

// summarize decodes the whole stream and describes every response, FETCH
// item and error, one per line. Two decoders given the same bytes must
// produce the same summary, however the bytes are cut.
func summarize(d *Decoder, o sumOpts) string {
	var b strings.Builder
	buf := make([]byte, max(o.readSize, 1))
	calls := 0
	retry := func(err error) bool {
		calls++
		if calls > maxCalls {
			panic("decoder makes no progress")
		}
		return o.retry && isTimeout(err)
	}
	for {
		r, err := d.ReadResponse()
		if err != nil {
			if retry(err) {
				continue
			}
			b.WriteString(describeErr(err) + "\n")
			if IsRecoverable(err) {
				continue
			}
			return b.String()
		}
		retry(nil)
		b.WriteString(describeResponse(r) + "\n")
		if r.Name != "FETCH" {
			continue
		}
		var it FetchItem
		for {
			ok, err := d.NextFetchItem(&it)
			if err != nil {
				if retry(err) {
					continue
				}
				b.WriteString("  " + describeErr(err) + "\n")
				break
			}
			if !ok {
				break
			}
			data, rerr := readSection(&it, o, buf, retry)
			b.WriteString("  " + describeItem(&it, data) + "\n")
			if rerr != nil {
				b.WriteString("  " + describeErr(rerr) + "\n")
			}
		}
	}
}

// readSection returns the data of a body section, reading a streamed one
// as o says.
func readSection(it *FetchItem, o sumOpts, buf []byte, retry func(error) bool) ([]byte, error) {
	if it.Reader == nil {
		return it.Literal, nil
	}
	var out []byte
	for o.prefix < 0 || int64(len(out)) < o.prefix {
		p := buf
		if o.prefix >= 0 && int64(len(p)) > o.prefix-int64(len(out)) {
			p = p[:o.prefix-int64(len(out))]
		}
		n, err := it.Reader.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil && !retry(err) {
			return out, err
		}
	}
	return out, nil
}

func describeErr(err error) string {
	var se *SyntaxError
	var le *LimitError
	switch {
	case errors.As(err, &se):
		return "syntax error: " + se.Error()
	case errors.As(err, &le):
		return "limit error: " + le.Error()
	case err == io.EOF:
		return "EOF"
	case errors.Is(err, ErrUnexpectedEOF):
		return "unexpected EOF"
	}
	return "error: " + err.Error()
}

func describeResponse(r *Response) string {
	s := fmt.Sprintf("kind=%d tag=%q name=%q num=%d", r.Kind, r.Tag, r.Name, r.Num)
	if r.Status != nil {
		s += fmt.Sprintf(" status=%q code=%q arg=%q text=%q", r.Status.Type, r.Status.Code, r.Status.CodeArg, r.Status.Text)
	}
	if r.Kind == Continuation {
		s += " text=" + strconv.Quote(r.Text)
	}
	switch v := r.Data.(type) {
	case nil:
	case *ListData:
		s += fmt.Sprintf(" list=%q delim=%q mailbox=%q ext=%q", v.Attrs, v.Delim, v.Mailbox, v.Extended)
	case *StatusData:
		s += fmt.Sprintf(" status-data=%q %v", v.Mailbox, v.Items)
	case *SearchData:
		s += fmt.Sprintf(" search=%v modseq=%d", v.Nums, v.ModSeq)
	case *NamespaceData:
		s += fmt.Sprintf(" namespace=%q %q %q", v.Personal, v.Other, v.Shared)
	case *RawData:
		s += fmt.Sprintf(" raw=%q", v.Bytes)
	case []string:
		s += fmt.Sprintf(" strings=%q", v)
	case map[string]string:
		s += fmt.Sprintf(" id=%q nil=%v", v, v == nil)
	default:
		s += fmt.Sprintf(" data=%#v", v)
	}
	return s
}

func describeItem(it *FetchItem, data []byte) string {
	s := fmt.Sprintf("%s", it.Name)
	if it.HasSection {
		s += "[" + it.Section + "]"
	}
	if it.Origin >= 0 {
		s += fmt.Sprintf("<%d>", it.Origin)
	}
	s += fmt.Sprintf(" num=%d strings=%q text=%q size=%d nil=%v raw=%q data=%q streamed=%v",
		it.Num, it.Strings, it.Text, it.Size, it.Nil, it.Raw, data, it.Reader != nil)
	if it.Envelope != nil {
		s += " envelope=" + formatEnvelope(it.Envelope)
	}
	if it.Body != nil {
		s += " body=" + formatBody(it.Body)
	}
	return s
}

// wireString writes s as IMAP: quoted, or a literal when it holds CR or LF.
func wireString(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return "{" + strconv.Itoa(len(s)) + "}\r\n" + s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func formatAddrs(list []imap.Address) string {
	if list == nil {
		return "NIL"
	}
	var b strings.Builder
	b.WriteByte('(')
	for _, a := range list {
		fmt.Fprintf(&b, "(%s %s %s %s)", wireString(a.Name), wireString(a.ADL), wireString(a.Mailbox), wireString(a.Host))
	}
	b.WriteByte(')')
	return b.String()
}

// formatEnvelope writes env in the wire syntax (empty strings as "").
func formatEnvelope(env *imap.Envelope) string {
	parts := []string{wireString(env.Date), wireString(env.Subject)}
	for _, l := range [][]imap.Address{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		parts = append(parts, formatAddrs(l))
	}
	parts = append(parts, wireString(env.InReplyTo), wireString(env.MessageID))
	return "(" + strings.Join(parts, " ") + ")"
}

func formatParams(ps []imap.Param) string {
	if ps == nil {
		return "NIL"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, wireString(p.Name)+" "+wireString(p.Value))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// formatBody writes b in the BODYSTRUCTURE syntax, every extension field
// included when b.Extended. Parsing the result gives b back.
func formatBody(b *imap.BodyStructure) string {
	var s strings.Builder
	s.WriteByte('(')
	if b.IsMultipart() {
		for _, p := range b.Parts {
			s.WriteString(formatBody(p))
		}
		s.WriteString(" " + wireString(b.Subtype))
		if b.Extended {
			s.WriteString(" " + formatParams(b.Params) + formatExtTail(b))
		}
		s.WriteByte(')')
		return s.String()
	}
	fmt.Fprintf(&s, "%s %s %s %s %s %s %d", wireString(b.Type), wireString(b.Subtype), formatParams(b.Params),
		wireString(b.ID), wireString(b.Description), wireString(b.Encoding), b.Size)
	isMsg := strings.EqualFold(b.Type, "message") &&
		(strings.EqualFold(b.Subtype, "rfc822") || strings.EqualFold(b.Subtype, "global"))
	switch {
	case isMsg && b.Envelope != nil:
		fmt.Fprintf(&s, " %s %s %d", formatEnvelope(b.Envelope), formatBody(b.Body), b.Lines)
	case strings.EqualFold(b.Type, "text"):
		fmt.Fprintf(&s, " %d", b.Lines)
	}
	if b.Extended {
		s.WriteString(" " + wireString(b.MD5) + formatExtTail(b))
	}
	s.WriteByte(')')
	return s.String()
}

func formatExtTail(b *imap.BodyStructure) string {
	disp := "NIL"
	if b.Disposition != "" || b.DispositionParams != nil {
		disp = "(" + wireString(b.Disposition) + " " + formatParams(b.DispositionParams) + ")"
	}
	lang := "NIL"
	if b.Language != nil {
		var ls []string
		for _, l := range b.Language {
			ls = append(ls, wireString(l))
		}
		lang = "(" + strings.Join(ls, " ") + ")"
	}
	return " " + disp + " " + lang + " " + wireString(b.Location)
}
