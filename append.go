package imapclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// AppendResult is the APPENDUID data of an APPEND (RFC 4315 section 3):
// the destination folder's UIDVALIDITY and the new message's UID. Both
// are zero when the server did not send APPENDUID (it lacks UIDPLUS).
type AppendResult struct {
	UIDValidity uint32
	UID         uint32
}

// MultiAppendResult is the APPENDUID data of a MULTIAPPEND: the UIDs of
// the new messages in the order they were given. The fields are zero when
// the server did not send APPENDUID.
type MultiAppendResult struct {
	UIDValidity uint32
	// UIDSet is the set as the server sent it; UIDs lists it.
	UIDSet imap.NumSet
	UIDs   []uint32
}

// AppendMessage is one message for MultiAppend: its content in Msg, or
// Size bytes read from Reader, with optional flags and internal date.
// Binary sends it as a literal8 (RFC 3516 section 4.4), which may hold NUL
// bytes and needs the BINARY capability; a Msg holding NUL is sent so
// without it being set.
type AppendMessage struct {
	Msg    []byte
	Reader io.Reader
	Size   int64
	Flags  []string
	Date   time.Time
	Binary bool
}

// Append adds a message to folder (APPEND, RFC 3501 section 6.3.11;
// IMAPClient's append). msg is the whole message with CRLF line endings.
// flags are validated as for AddFlags (Recent is refused) and may be
// empty. A zero date lets the server set the internal date; otherwise it
// is sent with its own zone. The result holds the APPENDUID data when the
// server gives it. With LITERAL+ the message is sent without waiting for
// the server's go-ahead. A message with NUL bytes goes as a literal8 and
// needs BINARY (RFC 3516); one over the server's APPENDLIMIT (RFC 7889)
// is refused with an *AppendLimitError; in both cases nothing is sent.
func (c *Client) Append(ctx context.Context, folder string, msg []byte, flags []string, date time.Time) (*AppendResult, error) {
	if msg == nil {
		msg = []byte{}
	}
	return c.appendOne(ctx, folder, AppendMessage{Msg: msg, Flags: flags, Date: date})
}

// AppendReader is Append with the message streamed from r as a literal of
// size bytes, for messages too large to hold in memory. r must deliver
// exactly size bytes: if it fails or ends early the command cannot be
// completed and the connection is closed.
func (c *Client) AppendReader(ctx context.Context, folder string, r io.Reader, size int64, flags []string, date time.Time) (*AppendResult, error) {
	return c.appendOne(ctx, folder, AppendMessage{Reader: r, Size: size, Flags: flags, Date: date})
}

func (c *Client) appendOne(ctx context.Context, folder string, m AppendMessage) (*AppendResult, error) {
	res, err := c.appendMessages(ctx, "APPEND", folder, []AppendMessage{m})
	if err != nil {
		return nil, err
	}
	out := &AppendResult{UIDValidity: res.UIDValidity}
	if len(res.UIDs) == 1 {
		out.UID = res.UIDs[0]
	}
	return out, nil
}

// MultiAppend adds several messages to folder in one command (RFC 3502,
// MULTIAPPEND): either all are added or, when the server answers NO, none
// is, and the error is returned. It needs the MULTIAPPEND capability for
// more than one message. The result holds the new UIDs when the server
// gives APPENDUID.
func (c *Client) MultiAppend(ctx context.Context, folder string, msgs []AppendMessage) (*MultiAppendResult, error) {
	if len(msgs) == 0 {
		return nil, fmt.Errorf("imapclient: MULTIAPPEND: no messages given: %w", imapwire.ErrInvalidArgument)
	}
	return c.appendMessages(ctx, "MULTIAPPEND", folder, msgs)
}

func (c *Client) appendMessages(ctx context.Context, what, folder string, msgs []AppendMessage) (*MultiAppendResult, error) {
	type prepared struct {
		r      io.Reader
		size   int64
		flags  []string
		date   string
		binary bool
	}
	ps := make([]prepared, len(msgs))
	sizes, binary := make([]int64, len(msgs)), make([]bool, len(msgs))
	for i, m := range msgs {
		p := prepared{r: m.Reader, size: m.Size, binary: m.Binary}
		if p.r == nil {
			p.r, p.size = bytes.NewReader(m.Msg), int64(len(m.Msg))
			p.binary = p.binary || hasNUL(m.Msg)
		} else if m.Msg != nil {
			return nil, fmt.Errorf("imapclient: %s: message %d has both Msg and Reader: %w", what, i, imapwire.ErrInvalidArgument)
		}
		if p.size < 0 {
			return nil, fmt.Errorf("imapclient: %s: message %d has a negative size: %w", what, i, imapwire.ErrInvalidArgument)
		}
		var err error
		if p.flags, err = checkFlags("APPEND", m.Flags, true); err != nil {
			return nil, err
		}
		if !m.Date.IsZero() {
			p.date = imap.FormatDateTime(m.Date)
		}
		ps[i] = p
		sizes[i], binary[i] = p.size, p.binary
	}
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.unlock()
	if err := c.requireAuth("APPEND"); err != nil {
		return nil, err
	}
	if len(msgs) > 1 {
		if err := c.needCap(ctx, imap.CapMultiAppend, "MULTIAPPEND"); err != nil {
			return nil, err
		}
	}
	if err := c.appendCheck(ctx, sizes, binary); err != nil {
		return nil, err
	}
	wire := c.encodeName(folder)
	st, err := c.conn.Execute(ctx, "APPEND", func(e *imapwire.Encoder) {
		e.SP().AString(wire)
		for _, p := range ps {
			if len(p.flags) > 0 {
				e.SP().Byte('(')
				for i, f := range p.flags {
					if i > 0 {
						e.SP()
					}
					e.Flag(f)
				}
				e.Byte(')')
			}
			if p.date != "" {
				e.SP().String(p.date)
			}
			if p.binary {
				e.SP().Literal8Reader(p.r, p.size)
			} else {
				e.SP().LiteralReader(p.r, p.size)
			}
		}
	}, nil)
	if err != nil {
		return nil, err
	}
	res := &MultiAppendResult{}
	if st != nil && st.Code == imap.CodeAppendUID {
		if d, err := imap.ParseAppendUID(st.CodeArg); err == nil {
			res.UIDValidity, res.UIDSet = d.UIDValidity, d.DestUIDs
			res.UIDs, _ = d.DestUIDs.Nums(len(msgs))
		}
	}
	return res, nil
}
