package imapwire

import (
	"bytes"
	"io"

	"github.com/imapclient-go/imapclient/imap"
)

// Decoder reads IMAP responses from a stream. It is not safe for concurrent
// use. Create one with NewDecoder.
type Decoder struct {
	r   io.Reader
	lim Limits

	buf    []byte
	rd, wr int // unread bytes are buf[rd:wr]

	// The current frame is buf[fs:fe]; the parser is at pos.
	fs, fe, pos int
	// lit is the size of the large literal announced at the end of the
	// current frame and not yet consumed, or -1.
	lit int64
	// needFrame is set once a large literal was consumed: the response goes
	// on in a new frame that must be read before parsing resumes.
	needFrame bool
	// stream is the reader handed out for a large literal.
	stream literalReader

	inResp bool  // a response was started and not finished
	fetch  int   // state of the FETCH item iterator
	depth  int   // list nesting while parsing
	err    error // sticky I/O error

	// long is set while a line over MaxLine is being discarded: tail keeps
	// its last tl bytes (to spot a literal announcement) and skip counts
	// the announced literal bytes still to drop. The state lives here so
	// that a discard interrupted by a timeout resumes where it stopped.
	long bool
	tail [24]byte
	tl   int
	skip int64
	// pending is a recoverable error to report once the rest of the
	// current response has been skipped (see Decoder.lost).
	pending error
	// raw collects the value of an unknown FETCH item when a large
	// literal splits it over several frames; rawStart is where the
	// uncollected part starts in the current frame, or -1.
	raw      []byte
	rawStart int
	// Scratch space of the envelope and body structure parsers.
	scratch  []byte
	spans    []span
	pscratch []imap.Param
	fscratch []string
	// searchAcc holds the numbers of a long SEARCH line parsed while it
	// arrived, streamed the bytes they took (see streamSearch).
	searchAcc []uint32
	streamed  int64
	head      []byte
	// frameOff and frameHead are streamed and head of the current frame:
	// the bytes dropped before it and the line's start, for errors.
	frameOff  int64
	frameHead []byte
	// Slabs of small strings and parameter lists (see slab.go).
	slab     []byte
	pslab    []imap.Param
	nodes    []imap.BodyStructure
	envs     []imap.Envelope
	partSlab []*imap.BodyStructure
	addrs    []imap.Address
	parts    []*imap.BodyStructure

	// Trace, when set, is called with every frame read (valid only during
	// the call) and the size of the large literal that follows it (-1 when
	// none). Session layers use it for protocol logging.
	Trace func(frame []byte, literal int64)
}

// NewDecoder returns a decoder reading from r with the given limits (nil
// for the defaults).
func NewDecoder(r io.Reader, lim *Limits) *Decoder {
	var l Limits
	if lim != nil {
		l = *lim
	}
	l = l.withDefaults()
	d := &Decoder{r: r, lim: l, lit: -1, rawStart: -1}
	d.buf = make([]byte, l.ReadBufferSize)
	d.stream.d = d
	return d
}

// Buffered returns the number of bytes read from the stream but not yet
// decoded. STARTTLS uses it: bytes after the server's OK and before the TLS
// handshake are an injection attempt.
func (d *Decoder) Buffered() int { return d.wr - d.rd }

// Reset makes the decoder read from r, dropping anything buffered. It is
// used when the transport changes (STARTTLS, COMPRESS).
func (d *Decoder) Reset(r io.Reader) {
	d.r = r
	d.rd, d.wr, d.fs, d.fe, d.pos = 0, 0, 0, 0, 0
	d.lit, d.needFrame, d.inResp, d.fetch, d.err = -1, false, false, fetchNone, nil
	d.stream.n = 0
	d.long, d.tl, d.skip, d.pending, d.depth = false, 0, 0, nil, 0
	d.raw, d.rawStart = nil, -1
	d.searchAcc, d.streamed, d.head, d.frameOff, d.frameHead = nil, 0, nil, 0, nil
}

// fill reads more bytes into the buffer, keeping buf[rd:wr]. It moves the
// unread bytes to the front or grows the buffer when there is no room.
// Offsets relative to rd stay valid.
func (d *Decoder) fill() error {
	if d.err != nil {
		return d.err
	}
	if d.buf == nil {
		d.buf = make([]byte, d.lim.ReadBufferSize) // dropped by Release
	}
	if d.wr == len(d.buf) {
		if d.rd > 0 {
			n := copy(d.buf, d.buf[d.rd:d.wr])
			d.rd, d.wr = 0, n
		}
		if d.wr == len(d.buf) {
			size := 2 * len(d.buf)
			if max := d.lim.MaxLine + 64; size > max {
				size = max
			}
			if size <= len(d.buf) {
				return &LimitError{Limit: "MaxLine", Max: int64(d.lim.MaxLine)}
			}
			nb := make([]byte, size)
			copy(nb, d.buf[:d.wr])
			d.buf = nb
		}
	}
	n, err := d.r.Read(d.buf[d.wr:])
	d.wr += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if err == io.EOF && (d.wr != d.rd || d.inResp || d.long) {
		err = ErrUnexpectedEOF // inside a response
	}
	if !isTimeout(err) {
		d.err = err
	}
	return err
}

func isTimeout(err error) bool {
	t, ok := err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// readFrame reads the next frame: one line, extended over every small
// literal it announces, up to the end of the response or a large literal.
// The buffer keeps its contents on a timeout, so a read can be retried.
func (d *Decoder) readFrame() error {
	if d.long {
		return d.discardLong() // resume a discard cut by a timeout
	}
	if d.wr == d.rd {
		d.rd, d.wr = 0, 0 // nothing unread: start at the front
	}
	scan, line := 0, 0 // offsets relative to rd
	for {
		i := bytes.IndexByte(d.buf[d.rd+scan:d.wr], '\n')
		if i < 0 {
			scan = d.wr - d.rd
			if int64(scan)+d.streamed >= int64(d.lim.MaxLine) {
				return d.discardLong()
			}
			// A long SEARCH line is parsed as it comes rather than
			// growing the buffer: only at a response's start, in its
			// first line, once the buffer is full.
			if !d.inResp && line == 0 && d.wr == len(d.buf) && len(d.buf) >= d.lim.ReadBufferSize && d.streamSearch() {
				scan = d.wr - d.rd
			}
			if err := d.fill(); err != nil {
				return err
			}
			continue
		}
		eol := scan + i + 1
		if int64(eol)+d.streamed > int64(d.lim.MaxLine) {
			// The same limit whether the bytes came in one read or many.
			return d.discardLong()
		}
		n, ok := literalMarker(d.buf[d.rd+line : d.rd+eol])
		if !ok {
			d.setFrame(eol, -1)
			return nil
		}
		if n > d.lim.InlineLiteral || int64(eol)+n > int64(d.lim.MaxLine) {
			d.setFrame(eol, n)
			return nil
		}
		for int64(d.wr-d.rd) < int64(eol)+n {
			if err := d.fill(); err != nil {
				return err
			}
		}
		scan = eol + int(n)
		line = scan
	}
}

func (d *Decoder) setFrame(end int, lit int64) {
	d.fs, d.fe, d.pos = d.rd, d.rd+end, d.rd
	d.frameOff, d.frameHead = d.streamed, d.head
	d.streamed, d.head = 0, nil
	d.rd = d.fe
	d.lit = lit
	d.needFrame = false
	if d.Trace != nil {
		d.Trace(d.buf[d.fs:d.fe], lit)
	}
}

// literalMarker reports whether line (ending in LF) ends with a literal
// announcement "{N}", "{N+}" or "~{N}" before its CRLF, and returns N.
func literalMarker(line []byte) (int64, bool) {
	end := len(line) - 1 // at '\n'
	if end > 0 && line[end-1] == '\r' {
		end--
	}
	if end < 3 || line[end-1] != '}' {
		return 0, false
	}
	j := end - 2
	if line[j] == '+' || line[j] == '-' {
		j--
	}
	var n int64
	digits := 0
	mul := int64(1)
	for ; j >= 0 && line[j] >= '0' && line[j] <= '9'; j-- {
		if digits == 18 {
			return 0, false // over 10^18: not a literal anyone can send
		}
		n += int64(line[j]-'0') * mul
		mul *= 10
		digits++
	}
	if digits == 0 || j < 0 || line[j] != '{' {
		return 0, false
	}
	return n, true
}

// discardLong drops a frame longer than MaxLine, and the literals it
// announces, so the stream stays in step, and reports a LimitError. It
// starts at the frame's first byte; after a timeout, readFrame calls it
// again and it goes on from where it stopped.
func (d *Decoder) discardLong() error {
	if !d.long {
		d.long, d.tl, d.skip = true, 0, 0
	}
	for {
		if d.skip > 0 {
			if err := d.skipCount(&d.skip); err != nil {
				return err
			}
		}
		if d.rd == d.wr {
			d.rd, d.wr = 0, 0
			if err := d.fill(); err != nil {
				return err
			}
		}
		chunk := d.buf[d.rd:d.wr]
		i := bytes.IndexByte(chunk, '\n')
		if i >= 0 {
			chunk = chunk[:i+1]
		}
		d.tl = keepTail(d.tail[:], d.tl, chunk)
		d.rd += len(chunk)
		if i >= 0 {
			n, ok := literalMarker(d.tail[:d.tl])
			if !ok {
				break
			}
			d.skip, d.tl = n, 0
		}
	}
	d.long = false
	d.searchAcc, d.streamed, d.head = nil, 0, nil
	d.release()
	d.fs, d.fe, d.pos, d.lit = d.rd, d.rd, d.rd, -1
	d.needFrame, d.inResp = false, false
	return &LimitError{Limit: "MaxLine", Max: int64(d.lim.MaxLine)}
}

// release gives back a buffer that grew past ReadBufferSize for a line
// that was then discarded: one hostile line must not make the connection
// hold MaxLine bytes for the rest of its life. The unread bytes move to
// the new buffer when they fit.
func (d *Decoder) release() {
	size := d.lim.ReadBufferSize
	if len(d.buf) <= size || d.wr-d.rd > size {
		return
	}
	nb := make([]byte, size)
	d.wr = copy(nb, d.buf[d.rd:d.wr])
	d.rd = 0
	d.buf = nb
}

// Release drops the read buffer when it holds no unread bytes and no
// response is in progress, so that an idle connection keeps none: the next
// read allocates a new one of Limits.ReadBufferSize. Connections call it
// when a command sequence ends; a busy decoder keeps its buffer between
// responses. It reports whether the buffer was dropped. Values documented
// as "valid until the next call" become invalid.
func (d *Decoder) Release() bool {
	if d.buf == nil || d.rd != d.wr || d.inResp || d.long || d.needFrame || d.lit >= 0 || d.stream.n > 0 {
		return false
	}
	if len(d.buf) == searchReadGrowth*d.lim.ReadBufferSize {
		b := d.buf
		searchBufSlot.Store(&b) // grown for a long SEARCH line: kept for the next
	}
	d.buf = nil
	d.rd, d.wr, d.fs, d.fe, d.pos = 0, 0, 0, 0, 0
	d.raw, d.rawStart = nil, -1
	d.scratch, d.spans, d.pscratch, d.fscratch, d.parts = nil, nil, nil, nil, nil
	d.slab, d.pslab, d.nodes, d.envs, d.partSlab, d.addrs = nil, nil, nil, nil, nil, nil
	return true
}

func keepTail(tail []byte, tl int, chunk []byte) int {
	if len(chunk) >= len(tail) {
		return copy(tail, chunk[len(chunk)-len(tail):])
	}
	if tl+len(chunk) > len(tail) {
		drop := tl + len(chunk) - len(tail)
		copy(tail, tail[drop:tl])
		tl -= drop
	}
	return tl + copy(tail[tl:], chunk)
}

// skipN discards n bytes of the stream.
func (d *Decoder) skipN(n int64) error { return d.skipCount(&n) }

// skipCount discards *n bytes of the stream, counting them down as it goes
// so that a skip cut by a timeout can be resumed.
func (d *Decoder) skipCount(n *int64) error {
	for *n > 0 {
		if d.rd == d.wr {
			d.rd, d.wr = 0, 0
			if err := d.fill(); err != nil {
				return err
			}
		}
		k := int64(d.wr - d.rd)
		if k > *n {
			k = *n
		}
		d.rd += int(k)
		*n -= k
	}
	return nil
}

// readN reads n bytes of the stream into p (len(p) >= n is not required:
// it reads min(n, len(p))). It returns the count read.
func (d *Decoder) readN(p []byte, n int64) (int, error) {
	if int64(len(p)) > n {
		p = p[:n]
	}
	if d.rd == d.wr {
		if len(p) >= max(len(d.buf), d.lim.ReadBufferSize) {
			// Large reads bypass the buffer.
			if d.err != nil {
				return 0, d.err
			}
			k, err := d.r.Read(p)
			if k > 0 {
				return k, nil
			}
			if err == nil {
				err = io.ErrNoProgress
			} else if err == io.EOF {
				err = ErrUnexpectedEOF
			}
			if !isTimeout(err) {
				d.err = err
			}
			return 0, err
		}
		d.rd, d.wr = 0, 0
		if err := d.fill(); err != nil {
			return 0, err
		}
	}
	k := copy(p, d.buf[d.rd:d.wr])
	d.rd += k
	return k, nil
}
