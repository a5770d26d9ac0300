package imapmemserver

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/mutf7"
)

// state is where a connection is in the protocol (RFC 3501 section 3).
type state uint8

const (
	stateAny state = iota
	stateNotAuth
	stateAuth     // authenticated or selected
	stateSelected // selected only
)

// session serves one connection. Everything in it belongs to the
// connection's goroutine, except during IDLE, when a second goroutine
// reads the DONE line through dec while this one writes through enc.
type session struct {
	srv    *Server
	raw    net.Conn   // the accepted connection
	fc     *faultConn // raw with the faults applied
	conn   net.Conn   // fc, or a TLS connection over it
	dec    *imapwire.CommandDecoder
	enc    *imapwire.ResponseEncoder
	faults *Faults
	caps   *capSet
	log    *slog.Logger

	tls       bool
	user      *user
	sel       *selection
	condstore bool // CONDSTORE enabled (RFC 7162 section 3.1)
	utf8      bool // UTF8=ACCEPT enabled (RFC 6855)
	rev2      bool // IMAP4rev2 enabled
	enabled   map[string]bool
	ncmd      int    // commands read so far
	cmdName   string // the command being run
	cmdTag    string
	fetchBad  bool // MalformedFetch: the current command's first FETCH response is still to corrupt
	logout    bool
}

// reply is what a handler asks the dispatcher to send as the tagged
// response; a nil *reply means the handler answered already.
type reply = imap.StatusResponse

func ok(text string) *reply { return &reply{Type: imap.StatusOK, Text: text} }
func okCode(code, arg, text string) *reply {
	return &reply{Type: imap.StatusOK, Code: code, CodeArg: arg, Text: text}
}
func no(text string) *reply { return &reply{Type: imap.StatusNO, Text: text} }
func noCode(code, text string) *reply {
	return &reply{Type: imap.StatusNO, Code: code, Text: text}
}
func bad(text string) *reply { return &reply{Type: imap.StatusBAD, Text: text} }

// command describes a command the server knows.
type command struct {
	fn    func(s *session, tag string, args []imapwire.Value) *reply
	state state
	cap   string // required capability, "" for none
	// quiet commands may not be followed by EXPUNGE responses (RFC 3501
	// section 7.4.1): pending expunges, and what came after them, wait
	// for the next command.
	quiet bool
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"CAPABILITY":   {fn: (*session).cmdCapability},
		"NOOP":         {fn: (*session).cmdNoop},
		"LOGOUT":       {fn: (*session).cmdLogout},
		"ID":           {fn: (*session).cmdID, cap: "ID"},
		"STARTTLS":     {fn: (*session).cmdStartTLS, state: stateNotAuth, cap: "STARTTLS"},
		"LOGIN":        {fn: (*session).cmdLogin, state: stateNotAuth},
		"AUTHENTICATE": {fn: (*session).cmdAuthenticate, state: stateNotAuth},
		"ENABLE":       {fn: (*session).cmdEnable, state: stateAuth, cap: "ENABLE"},
		"NAMESPACE":    {fn: (*session).cmdNamespace, state: stateAuth, cap: "NAMESPACE"},
		"SELECT":       {fn: (*session).cmdSelect, state: stateAuth},
		"EXAMINE":      {fn: (*session).cmdExamine, state: stateAuth},
		"CREATE":       {fn: (*session).cmdCreate, state: stateAuth},
		"DELETE":       {fn: (*session).cmdDelete, state: stateAuth},
		"RENAME":       {fn: (*session).cmdRename, state: stateAuth},
		"SUBSCRIBE":    {fn: (*session).cmdSubscribe, state: stateAuth},
		"UNSUBSCRIBE":  {fn: (*session).cmdUnsubscribe, state: stateAuth},
		"LIST":         {fn: (*session).cmdList, state: stateAuth},
		"LSUB":         {fn: (*session).cmdLsub, state: stateAuth},
		"STATUS":       {fn: (*session).cmdStatus, state: stateAuth},
		"APPEND":       {fn: (*session).cmdAppend, state: stateAuth},
		"IDLE":         {fn: (*session).cmdIdle, state: stateAuth, cap: "IDLE"},
		"CHECK":        {fn: (*session).cmdNoop, state: stateSelected},
		"UNSELECT":     {fn: (*session).cmdUnselect, state: stateSelected, cap: "UNSELECT"},
		"CLOSE":        {fn: (*session).cmdClose, state: stateSelected},
		"EXPUNGE":      {fn: (*session).cmdExpunge, state: stateSelected},
		"UID EXPUNGE":  {fn: (*session).cmdExpunge, state: stateSelected, cap: "UIDPLUS"},
		"FETCH":        {fn: (*session).cmdFetch, state: stateSelected, quiet: true},
		"UID FETCH":    {fn: (*session).cmdFetch, state: stateSelected},
		"STORE":        {fn: (*session).cmdStore, state: stateSelected, quiet: true},
		"UID STORE":    {fn: (*session).cmdStore, state: stateSelected},
		"SEARCH":       {fn: (*session).cmdSearch, state: stateSelected, quiet: true},
		"UID SEARCH":   {fn: (*session).cmdSearch, state: stateSelected},
		"COPY":         {fn: (*session).cmdCopy, state: stateSelected},
		"UID COPY":     {fn: (*session).cmdCopy, state: stateSelected},
		"MOVE":         {fn: (*session).cmdMove, state: stateSelected, cap: "MOVE"},
		"UID MOVE":     {fn: (*session).cmdMove, state: stateSelected, cap: "MOVE"},
	}
}

var errLiteralPlus = errors.New("non-synchronizing literal not allowed")

func newSession(srv *Server, raw net.Conn, implicitTLS bool) *session {
	f := srv.currentFaults()
	fc := &faultConn{Conn: raw, faults: f, stop: srv.done}
	s := &session{srv: srv, raw: raw, fc: fc, conn: fc, faults: f, caps: srv.caps, log: srv.log, enabled: map[string]bool{}}
	if implicitTLS {
		s.conn = tls.Server(fc, srv.tlsConfig())
		s.tls = true
	}
	s.dec = imapwire.NewCommandDecoder(s.conn, nil)
	s.enc = imapwire.NewResponseEncoder(s.conn)
	s.dec.OnLiteral = func(size int64, nonSync bool) error {
		if nonSync {
			if !s.caps.literalPlus(size) {
				return errLiteralPlus
			}
			return nil
		}
		if err := s.enc.Continuation("Ready for literal data"); err != nil {
			return err
		}
		return s.enc.Flush()
	}
	return s
}

// serve runs the connection until the client logs out, the connection
// fails or the server closes.
func (s *session) serve() {
	defer func() {
		s.srv.b.unselect(s.sel)
		s.raw.Close()
	}()
	if err := s.greet(); err != nil {
		s.log.Debug("imapmemserver: greeting failed", "err", err)
		return
	}
	for !s.logout {
		cmd, err := s.dec.ReadCommand()
		if cmd == nil {
			if err != nil && !errors.Is(err, net.ErrClosed) {
				s.log.Debug("imapmemserver: connection ended", "err", err)
			}
			return
		}
		s.ncmd++
		if f := s.faults; f.DropAfterCommands > 0 && s.ncmd > f.DropAfterCommands {
			s.log.Debug("imapmemserver: fault: dropping the connection", "command", s.ncmd)
			return
		}
		if f := s.faults; f.ByeAfterCommands > 0 && s.ncmd > f.ByeAfterCommands {
			s.enc.StatusResponse("", &imap.StatusResponse{Type: imap.StatusBYE, Text: "Fault injection: server shutting down"})
			s.enc.Flush()
			return
		}
		if err != nil {
			s.answerDecodeError(cmd, err)
		} else {
			s.dispatch(cmd)
		}
		if f := s.faults; len(f.Garbage) > 0 && f.GarbageAfterCommands > 0 && s.ncmd == f.GarbageAfterCommands {
			s.enc.Flush()
			s.conn.Write(f.Garbage)
		}
		if err := s.enc.Flush(); err != nil {
			s.log.Debug("imapmemserver: write failed", "err", err)
			return
		}
	}
}

func (s *session) greet() error {
	st := &imap.StatusResponse{Type: imap.StatusOK, Text: s.srv.opts.greeting()}
	if !s.faults.NoGreetingCapability {
		st.Code, st.CodeArg = "CAPABILITY", strings.Join(s.capabilities(), " ")
	}
	if err := s.enc.StatusResponse("", st); err != nil {
		return err
	}
	if err := s.enc.Flush(); err != nil {
		return err
	}
	if g := s.faults.Garbage; len(g) > 0 && s.faults.GarbageAfterCommands == 0 {
		if _, err := s.conn.Write(g); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) capabilities() []string {
	return s.caps.forState(s.tls, s.user != nil)
}

// answerDecodeError answers a command the decoder could not read.
func (s *session) answerDecodeError(cmd *imapwire.ClientCommand, err error) {
	var le *imapwire.LimitError
	var st *reply
	switch {
	case errors.Is(err, errLiteralPlus):
		st = bad("LITERAL+ is not supported (or the literal is too large for LITERAL-)")
	case errors.As(err, &le) && le.Limit == "MaxLiteral":
		st = noCode("TOOBIG", "Literal too large")
	default:
		st = bad("Error in IMAP command: " + errText(err))
	}
	s.log.Debug("imapmemserver: bad command", "tag", cmd.Tag, "name", cmd.Name, "err", err)
	s.enc.StatusResponse(cmd.Tag, st)
}

// errText returns err's text as it may go into a response.
func errText(err error) string {
	t := err.Error()
	t = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, t)
	t = strings.TrimPrefix(t, "imapwire: ")
	if len(t) > 200 {
		t = t[:200]
	}
	return t
}

func (s *session) dispatch(cmd *imapwire.ClientCommand) {
	s.log.Debug("imapmemserver: command", "tag", cmd.Tag, "name", cmd.Name, "args", logArgs(cmd))
	s.cmdName, s.cmdTag = cmd.Name, cmd.Tag
	c, known := commands[cmd.Name]
	var st *reply
	switch {
	case !known || (c.cap != "" && !s.caps.has(c.cap)):
		st = bad("Unknown command " + cmd.Name)
	case c.state == stateNotAuth && s.user != nil:
		st = bad("Already authenticated")
	case c.state == stateAuth && s.user == nil, c.state == stateSelected && s.user == nil:
		st = bad("Not authenticated")
	case c.state == stateSelected && s.sel == nil:
		st = bad("No mailbox selected")
	}
	if st == nil {
		if text, refused := s.faults.NoCommands[cmd.Name]; refused {
			st = &reply{Type: imap.StatusNO, Text: text}
			if strings.HasPrefix(text, "[") {
				if code, rest, ok := strings.Cut(text[1:], "]"); ok {
					st.Code, st.Text = code, strings.TrimSpace(rest)
					if name, arg, ok := strings.Cut(code, " "); ok {
						st.Code, st.CodeArg = name, arg
					}
				}
			}
		} else {
			s.fetchBad = s.faults.MalformedFetch
			st = c.fn(s, cmd.Tag, cmd.Args)
			if st == nil {
				return
			}
			if st.Type != imap.StatusBAD {
				s.writeUpdates(c.quiet)
			}
		}
	}
	if err := s.enc.StatusResponse(cmd.Tag, st); err != nil {
		s.log.Debug("imapmemserver: cannot write status", "err", err)
		s.enc.StatusResponse(cmd.Tag, no("Internal error"))
	}
}

// logArgs renders the arguments for the debug log: credentials redacted,
// long strings summarised.
func logArgs(cmd *imapwire.ClientCommand) string {
	if cmd.Name == "LOGIN" || cmd.Name == "AUTHENTICATE" {
		return "[redacted]"
	}
	var b strings.Builder
	var render func(vs []imapwire.Value)
	render = func(vs []imapwire.Value) {
		for i, v := range vs {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch {
			case v.Kind == imapwire.ValueList:
				b.WriteByte('(')
				render(v.List)
				b.WriteByte(')')
			case v.Kind == imapwire.ValueString && len(v.Str) > 80:
				b.WriteString("{" + strconv.Itoa(len(v.Str)) + " bytes}")
			default:
				b.WriteString(v.String())
			}
		}
	}
	render(cmd.Args)
	return b.String()
}

// writeUpdates sends the changes other sessions made to the selected
// mailbox; after a quiet command, those before the first expunge only.
func (s *session) writeUpdates(quiet bool) {
	if s.sel == nil {
		return
	}
	for _, u := range s.srv.b.flush(s.sel, quiet) {
		switch u.kind {
		case updNew:
			s.enc.WriteExists(u.n)
		case updRecent:
			if !s.rev2 {
				s.enc.WriteRecent(u.n)
			}
		case updExpunge:
			s.enc.WriteExpunge(u.n)
		case updFlags:
			f := s.enc.Fetch(u.n)
			f.UID(u.uid).Flags(s.flagsOut(u.flags))
			if s.condstore {
				f.ModSeq(u.modSeq)
			}
			f.End()
		}
	}
}

// mailboxName decodes a mailbox argument: modified UTF-7 unless
// UTF8=ACCEPT is on.
func (s *session) mailboxName(v *imapwire.Value) (string, *reply) {
	name, ok := v.AString()
	if !ok {
		return "", bad("Mailbox name expected")
	}
	if s.utf8 {
		return name, nil
	}
	dec, err := mutf7.Decode(name)
	if err != nil {
		return "", no("Mailbox name is not valid modified UTF-7")
	}
	return dec, nil
}

// wireName encodes a mailbox name for a response.
func (s *session) wireName(name string) string {
	if s.utf8 {
		return name
	}
	return mutf7.Encode(name)
}

// mailboxError turns a backend error into a NO response.
func mailboxError(err error, create bool) *reply {
	switch {
	case errors.Is(err, errNoMailbox):
		if create {
			return noCode("TRYCREATE", "Mailbox doesn't exist")
		}
		return noCode("NONEXISTENT", "Mailbox doesn't exist")
	case errors.Is(err, errMailboxExists):
		return noCode("ALREADYEXISTS", "Mailbox already exists")
	case errors.Is(err, errBadName):
		return noCode("CANNOT", "Invalid mailbox name")
	case errors.Is(err, errInbox):
		return noCode("CANNOT", "INBOX cannot be deleted")
	case errors.Is(err, errHasChildren):
		return noCode("INUSE", "Mailbox has children, delete them first")
	}
	return no(errText(err))
}

// enableCondStore turns CONDSTORE on (ENABLE, SELECT (CONDSTORE), or the
// first command using a modifier or MODSEQ), and reports whether the
// server supports it.
func (s *session) enableCondStore() bool {
	if !s.caps.has("CONDSTORE") {
		return false
	}
	s.condstore = true
	return true
}
