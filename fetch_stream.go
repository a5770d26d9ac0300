package imapclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"iter"
	"sync"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// FetchIter is the streaming form of Fetch, for large sets and large
// messages: it yields one message at a time, in the order the server
// sends them, with body sections read straight from the connection as
// io.Readers. Memory use is bounded by one message's metadata, whatever
// the number of messages or the size of a section.
//
//	for msg, err := range c.FetchIter(ctx, imapclient.All, []string{"FLAGS", "BODY.PEEK[]"}) {
//		if err != nil {
//			return err
//		}
//		for sec, err := range msg.BodySections() {
//			if err != nil {
//				return err
//			}
//			io.Copy(dst, sec) // sec.Key == "BODY[]"
//		}
//	}
//
// Items, modifiers, ids, the checks made before sending, the handling of
// updates about other messages and the splitting of long sets are as for
// Fetch. A yielded message carries the metadata items that precede its
// first body section (servers send UID and the other metadata first in
// practice); metadata that comes after a section is added as
// NextSection moves past it. A message is valid only inside the loop
// body: its sections cannot be read afterwards. Each FETCH response is
// yielded as it arrives; a server that splits one message's data over
// several responses yields it more than once (Fetch merges them).
//
// An error is yielded with a nil message. Errors before anything is sent
// and errors of the connection end the iteration; a response that could
// not be decoded is reported and the iteration goes on if the loop does.
//
// The client's connection is held for the whole iteration: calling other
// methods of the client from the loop body blocks until ctx ends. When
// the loop stops early (break, return), the rest of the FETCH is read and
// discarded before the iteration returns, under ctx, so the connection is
// ready for the next command at once; none of the discarded responses is
// taken for an update, and real updates among them are still delivered.
// To stop without waiting for that, cancel ctx: the command is then
// abandoned and its rest is drained before the next command, within
// Options.DrainTimeout. A panic in the loop body abandons the command the
// same way. With iter.Pull, call stop.
func (c *Client) FetchIter(ctx context.Context, ms MessageSet, items []string, modifiers ...string) iter.Seq2[*StreamMessage, error] {
	return func(yield func(*StreamMessage, error) bool) {
		req, err := c.newFetch(ms, items, modifiers)
		if err != nil {
			yield(nil, err)
			return
		}
		if err := c.lock(ctx); err != nil {
			yield(nil, err)
			return
		}
		defer c.unlock()
		if err := c.checkFetch(ctx, req); err != nil {
			yield(nil, err)
			return
		}
		// Reads of section data happen between calls of Conn.Next: bind
		// ctx for the whole iteration so that cancelling it interrupts them.
		defer c.conn.Bind(ctx)()
		for _, part := range req.set.Split(maxSetLen) {
			if !c.streamFetch(ctx, req, part, yield) {
				return
			}
		}
	}
}

// streamFetch runs one FETCH command and yields its messages. It returns
// false when the iteration must end: the loop stopped or an error ended
// it.
//
// Why the rest is drained here rather than left to imapconn's drain of
// abandoned commands: that drain is meant for the short tail of a
// cancelled command and is bounded by Options.DrainTimeout as a whole,
// which the rest of a large FETCH can exceed (the connection would then be
// closed); and it hands the abandoned command's responses to the
// unsolicited-response path, where the rest of our FETCH would pose as
// flag updates. Draining here runs under the caller's ctx and discards
// them. Abandonment remains the fallback when ctx ends or the loop body
// panics.
func (c *Client) streamFetch(ctx context.Context, req *fetchRequest, set imap.NumSet, yield func(*StreamMessage, error) bool) bool {
	cmd, err := c.conn.Start(ctx, req.cmd, req.build(set), nil, nil)
	if err != nil {
		yield(nil, err)
		return false
	}
	// Still running here only after a panic in the loop body or a failed
	// read: leave the rest to imapconn's drain.
	defer c.conn.Abandon(cmd)
	claim := func(r *imapwire.Response) bool {
		// With sequence numbers an update for another message is
		// recognisable before reading it: leave it to the usual path.
		return r.Name == "FETCH" && (req.useUID || inSet(req.set, r.Num))
	}
	live := true // the loop still wants messages
	// One item and one Response for all the messages: each message only
	// reads items through them (values are copied out) and is done with
	// them (m.close) before the next response is read, so a message struct
	// is the only allocation per response besides the values.
	fs := &fetchStream{c: c, resp: new(imapwire.Response), item: new(imapwire.FetchItem), norm: req.norm}
	for {
		r, err := c.conn.NextInto(ctx, cmd, claim, fs.resp)
		if err != nil {
			if live {
				yield(nil, err)
			}
			return false
		}
		if r == nil {
			break // completed
		}
		if !live && !req.useUID {
			continue // draining: the next Next skips what is unread
		}
		m := &StreamMessage{s: fs}
		m.SeqNum = r.Num
		// While draining with UIDs, the metadata is still read: an update
		// about another message must not be lost with our responses.
		ours, err := m.begin(req)
		switch {
		case !live:
		case err != nil:
			// A skipped response: go on if the loop does. Anything else
			// (the connection, ctx) is reported once; Next says it again.
			live = yield(nil, err) && imapwire.IsRecoverable(err)
		case ours:
			live = yield(m, nil)
		}
		if err == nil && !ours {
			c.deliver(&FetchUpdate{SeqNum: m.SeqNum, UID: m.UID, Flags: m.Flags, ModSeq: m.ModSeq})
		}
		m.close()
	}
	if _, err := c.conn.Wait(ctx, cmd); err != nil && live {
		yield(nil, err)
		return false
	}
	return live
}

// StreamMessage is one message yielded by FetchIter. Message holds its
// metadata (FLAGS, UID, ENVELOPE, ...; Message.Sections stays nil); body
// sections are read in the server's order with NextSection or
// BodySections. It is valid only inside the loop body that received it,
// and is not safe for concurrent use.
type StreamMessage struct {
	Message

	s       *fetchStream
	pending *Section // the first section, read ahead by begin
	cur     *Section // the section handed out last
	hasUID  bool
	ended   bool // the response has no more items
	closed  bool // the loop body returned
}

// fetchStream is what the messages of one FetchIter share; keeping it out
// of StreamMessage keeps a message's allocation small.
type fetchStream struct {
	c    *Client
	resp *imapwire.Response  // the response being read: one at a time
	item *imapwire.FetchItem // scratch: items are copied out
	norm bool
}

// errStale reports a message or section used after it was left behind.
var errStale = errors.New("imapclient: FETCH data read after the loop body returned or after the next section was requested")

// begin reads the metadata up to the first body section and decides
// whether the response answers the request.
func (m *StreamMessage) begin(req *fetchRequest) (ours bool, err error) {
	sec, err := m.advance()
	if err == io.EOF {
		err = nil
	}
	if err != nil {
		return false, err
	}
	m.pending = sec
	if !req.useUID {
		return true, nil
	}
	if !m.hasUID {
		// A response UID FETCH causes carries the UID (RFC 3501 section
		// 6.4.8); without one before any data it is an update.
		return sec != nil, nil
	}
	return inSet(req.set, m.UID), nil
}

// advance reads items, storing metadata into m.Message, until the next
// body section, which it returns; io.EOF at the end of the response.
func (m *StreamMessage) advance() (*Section, error) {
	if m.ended {
		return nil, io.EOF
	}
	for {
		it := m.s.item
		ok, err := m.s.resp.NextFetchItem(it)
		if err != nil || !ok {
			m.ended = true
			if err == nil {
				err = io.EOF
			}
			return nil, err
		}
		if isSectionItem(it) {
			s := &Section{
				Key:    responseKey(it),
				Name:   it.Name,
				Spec:   it.Section,
				Origin: it.Origin,
				Size:   it.Size,
				Nil:    it.Nil,
				m:      m,
			}
			switch {
			case it.Reader != nil:
				s.r = it.Reader
			case it.Nil:
				s.r = bytes.NewReader(nil)
			default:
				s.r = bytes.NewReader(it.Literal) // in the decoder's buffer until the next item
			}
			return s, nil
		}
		if it.Name == "UID" {
			m.hasUID = true
		}
		m.s.c.applyItem(&m.Message, it, m.s.norm)
	}
}

// NextSection returns the message's next body section, or io.EOF after
// the last one. Reading it moves past the previous section: what was left
// unread of it is discarded and it can no longer be read. Metadata items
// the server sent between sections are stored into Message on the way.
func (m *StreamMessage) NextSection() (*Section, error) {
	if m.closed {
		return nil, errStale
	}
	if m.cur != nil {
		m.cur.stale = true
		m.cur = nil
	}
	s := m.pending
	m.pending = nil
	if s == nil {
		var err error
		if s, err = m.advance(); err != nil {
			return nil, err
		}
	}
	m.cur = s
	return s, nil
}

// BodySections iterates over the message's body sections with
// NextSection. An error other than the end is yielded with a nil
// section and ends the iteration.
func (m *StreamMessage) BodySections() iter.Seq2[*Section, error] {
	return func(yield func(*Section, error) bool) {
		for {
			s, err := m.NextSection()
			if err == io.EOF {
				return
			}
			if !yield(s, err) || err != nil {
				return
			}
		}
	}
}

func (m *StreamMessage) close() {
	m.closed = true
	if m.cur != nil {
		m.cur.stale = true
	}
	if m.pending != nil {
		m.pending.stale = true
	}
}

// Section is one body section of a streamed message: BODY[...],
// BINARY[...], RFC822, RFC822.HEADER or RFC822.TEXT. It is an io.Reader
// of the section's data, streamed from the connection, valid until the
// next call of NextSection and within the loop body.
type Section struct {
	// Key identifies the section as SectionKey describes: "BODY[]",
	// "BODY[HEADER.FIELDS (SUBJECT)]", "BODY[1]<0>".
	Key string
	// Name is the item name: "BODY", "BINARY", "RFC822", ...
	Name string
	// Spec is the section text between the brackets as the server sent
	// it, and Origin the origin of partial data, or -1.
	Spec   string
	Origin int64
	// Size is the length of the data in bytes (0 for NIL).
	Size int64
	// Nil reports that the server sent NIL instead of data.
	Nil bool

	r     io.Reader
	m     *StreamMessage
	stale bool
}

// Read implements io.Reader. It returns io.EOF at the end of the section.
func (s *Section) Read(p []byte) (int, error) {
	if s.stale || s.m.closed {
		return 0, errStale
	}
	return s.r.Read(p)
}

// sectionCopyBuffers are the buffers of Section.WriteTo, pooled so that
// streaming many sections allocates none.
var sectionCopyBuffers = sync.Pool{New: func() any { b := make([]byte, sectionCopySize); return &b }}

// sectionCopySize is the size of Section.WriteTo's buffer: the decoder's
// default read buffer size, so reads bypass that buffer when it is empty.
// Larger is not faster. Streaming a 100 MB message from Dovecot on loopback to a
// file (bench/, 40 interleaved runs each, rotating the order), 16 KiB
// finished in 0.94x go-imap v2's time (90% interval 0.90x to 0.98x),
// 64 KiB in 1.03x-1.04x and 256 KiB (the raw reader) in 1.05x, though
// larger buffers use less CPU (presumably the client, returning to the
// socket sooner between writes, keeps the server, which sets the pace,
// from waiting). 8 KiB was 0.98x: below the read buffer's size, the data
// is copied through it.
const sectionCopySize = imapwire.DefaultReadBufferSize

// WriteTo implements io.WriterTo, so io.Copy(w, section) moves the data
// through a pooled buffer, read straight from the connection (no copy
// through the decoder's buffer) when the decoder holds none of it.
func (s *Section) WriteTo(w io.Writer) (int64, error) {
	if s.stale || s.m.closed {
		return 0, errStale
	}
	bp := sectionCopyBuffers.Get().(*[]byte)
	defer sectionCopyBuffers.Put(bp)
	// Both sides wrapped, so that io.CopyBuffer uses the pooled buffer, not w's
	// ReadFrom (an *os.File would copy through its own 32 KiB buffer) or
	// this method again.
	return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{s.r}, *bp)
}
