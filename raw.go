package imapclient

import (
	"context"
	"fmt"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
)

// RawCommand sends a command line written by the caller, such as
// `GETMETADATA "" /shared/comment` or `X-VENDOR-CMD foo`, and returns the
// untagged responses it brought, typed where the decoder knows them and
// raw otherwise, and the tagged status. It is the escape hatch for
// extensions this package does not model; for commands with literals use
// Do and the imapwire encoder. The line must not contain CR, LF or NUL,
// and the tag is added by the client. At most 262,144 untagged responses
// are kept; past that a *imapwire.LimitError is returned with them.
func (c *Client) RawCommand(ctx context.Context, line string) ([]UntaggedResponse, *imap.StatusResponse, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, nil, fmt.Errorf("imapclient: RawCommand: empty command")
	}
	if strings.ContainsAny(line, "\r\n\x00") {
		return nil, nil, fmt.Errorf("imapclient: RawCommand: CR, LF or NUL in the command: %w", imapwire.ErrInvalidArgument)
	}
	name, args, _ := strings.Cut(line, " ")
	name = strings.ToUpper(name)
	if name == "UID" {
		var sub string
		sub, args, _ = strings.Cut(args, " ")
		name = "UID " + strings.ToUpper(sub)
	}
	if err := c.lock(ctx); err != nil {
		return nil, nil, err
	}
	defer c.unlock()
	var out []UntaggedResponse
	st, err := c.conn.Execute(ctx, name, func(e *imapwire.Encoder) {
		if args != "" {
			e.SP().Raw(args)
		}
	}, c.collectNoting(&out))
	return out, st, err
}
