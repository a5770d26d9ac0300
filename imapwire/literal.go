package imapwire

import "io"

// literalReader streams a large literal straight from the connection.
type literalReader struct {
	d *Decoder
	n int64 // bytes left
}

// Read implements io.Reader. It returns io.EOF at the end of the literal.
func (l *literalReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	k, err := l.d.readN(p, l.n)
	l.n -= int64(k)
	return k, err
}

// Len returns the number of bytes not yet read.
func (l *literalReader) Len() int64 { return l.n }

// takeLargeLiteral is called with the parser at the end of a frame that
// announced a large literal. It starts streaming it: the rest of the
// response is in a new frame, read once the literal is consumed.
func (d *Decoder) takeLargeLiteral() *literalReader {
	d.stream.n = d.lit
	d.lit = -1
	d.needFrame = true
	return &d.stream
}

// readLargeLiteral reads the large literal announced at the end of the
// frame into memory (see readLiteral).
func (d *Decoder) readLargeLiteral() ([]byte, error) {
	if d.lit > d.lim.MaxLiteral {
		return nil, &LimitError{Limit: "MaxLiteral", Max: d.lim.MaxLiteral}
	}
	return d.readLiteral(d.takeLargeLiteral())
}

// readLiteral reads a large literal that was taken with takeLargeLiteral
// into memory, bounded by Limits.MaxLiteral, without trusting the
// announced size for allocation. On error the unread rest stays in r, so
// skipResponse can drop it.
func (d *Decoder) readLiteral(r *literalReader) ([]byte, error) {
	if r.n > d.lim.MaxLiteral {
		return nil, &LimitError{Limit: "MaxLiteral", Max: d.lim.MaxLiteral}
	}
	// Grow with the data actually received, not with the announced size.
	initial := r.n
	if initial > 1<<20 {
		initial = 1 << 20
	}
	out := make([]byte, 0, initial)
	for r.n > 0 {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		k, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+k]
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	return out, nil
}

// resume reads the frame that follows a consumed large literal, first
// discarding whatever the caller left unread of it. Both steps can be
// retried after a timeout.
func (d *Decoder) resume() error {
	if err := d.skipCount(&d.stream.n); err != nil {
		return err
	}
	return d.readFrame()
}

// lost is called when a timeout interrupts the parser while it reads a
// large literal into memory (a string over InlineLiteral that is not a
// body section). The parse cannot be resumed: the literal's start and the
// parser's place are gone. The next ReadResponse or NextFetchItem skips
// the rest of the response and reports a *LimitError for InlineLiteral, so
// the response is never lost silently.
func (d *Decoder) lost(err error) error {
	if isTimeout(err) && d.pending == nil {
		d.pending = &LimitError{Limit: "InlineLiteral", Max: d.lim.InlineLiteral}
	}
	return err
}

// skipResponse discards the rest of the current response, including any
// large literals, so that the next read starts at a response boundary.
func (d *Decoder) skipResponse() error {
	d.fetch = fetchNone
	for d.inResp {
		if d.needFrame {
			if err := d.resume(); err != nil {
				return err
			}
		}
		d.pos = d.fe
		if d.lit < 0 {
			d.inResp = false
			break
		}
		d.takeLargeLiteral()
	}
	return nil
}
