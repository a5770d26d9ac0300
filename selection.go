package imapclient

import (
	"fmt"
	"sync"

	"github.com/imapclient-go/imapclient/imap"
	"github.com/imapclient-go/imapclient/imapconn"
)

// selection is the client's view of the selected folder.
type selection struct {
	mu          sync.Mutex
	name        string // as the user gave it (decoded)
	readOnly    bool
	uidValidity uint32

	exists        uint32
	uidNext       uint32
	highestModSeq uint64
}

func (s *selection) set(name string, readOnly bool, uidValidity uint32) {
	s.mu.Lock()
	s.name, s.readOnly, s.uidValidity = name, readOnly, uidValidity
	s.mu.Unlock()
}

// setCounts records the counters a SELECT reported.
func (s *selection) setCounts(exists, uidNext uint32, highestModSeq uint64) {
	s.mu.Lock()
	s.exists, s.uidNext, s.highestModSeq = exists, uidNext, highestModSeq
	s.mu.Unlock()
}

func (s *selection) get() (name string, readOnly bool, uidValidity uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name, s.readOnly, s.uidValidity
}

// SelectedFolder returns the name of the selected folder and whether it
// is read-only, or ok == false when no folder is selected.
func (c *Client) SelectedFolder() (name string, readOnly bool, ok bool) {
	if c.conn.State() != imapconn.Selected {
		return "", false, false
	}
	name, readOnly, _ = c.sel.get()
	return name, readOnly, true
}

// requireAuth checks that the connection is authenticated (or selected).
// A lost connection is reported as such (ErrAbort), not as the wrong
// state it left behind.
func (c *Client) requireAuth(command string) error {
	if err := c.conn.Err(); err != nil {
		return err
	}
	switch st := c.conn.State(); st {
	case imapconn.Authenticated, imapconn.Selected:
		return nil
	default:
		return &IllegalStateError{Command: command, State: st.String(), Need: "authenticated"}
	}
}

// requireSelected checks that a folder is selected, and writable when
// write is true (ErrReadOnly otherwise).
func (c *Client) requireSelected(command string, write bool) error {
	if err := c.conn.Err(); err != nil {
		return err
	}
	if st := c.conn.State(); st != imapconn.Selected {
		return &IllegalStateError{Command: command, State: st.String(), Need: "selected"}
	}
	if write {
		if name, ro, _ := c.sel.get(); ro {
			return fmt.Errorf("imapclient: %s in %q: %w", command, name, ErrReadOnly)
		}
	}
	return nil
}

// uidCmd returns the command name with the "UID " prefix when UIDs are in
// use (RFC 3501 section 6.4.8).
func (c *Client) uidCmd(name string) string {
	if c.useUID.Load() {
		return "UID " + name
	}
	return name
}

// FolderView is the client's view of the selected folder, kept current
// from the server's updates.
type FolderView struct {
	Name          string
	ReadOnly      bool
	Exists        uint32 // number of messages
	UIDNext       uint32
	UIDValidity   uint32
	HighestModSeq uint64
}

// FolderView returns the view of the selected folder, and false when no
// folder is selected.
func (c *Client) FolderView() (FolderView, bool) {
	if c.conn.State() != imapconn.Selected {
		return FolderView{}, false
	}
	s := &c.sel
	s.mu.Lock()
	defer s.mu.Unlock()
	return FolderView{Name: s.name, ReadOnly: s.readOnly, Exists: s.exists, UIDNext: s.uidNext,
		UIDValidity: s.uidValidity, HighestModSeq: s.highestModSeq}, true
}

// noteUpdate keeps the folder view current.
func (c *Client) noteUpdate(u Update) {
	s := &c.sel
	s.mu.Lock()
	defer s.mu.Unlock()
	switch u := u.(type) {
	case *ExistsUpdate:
		s.exists = u.Count
	case *ExpungeUpdate:
		if s.exists > 0 {
			s.exists--
		}
	case *VanishedUpdate:
		if !u.Earlier {
			if n, ok := u.UIDs.Nums(1 << 20); ok && uint32(len(n)) <= s.exists {
				s.exists -= uint32(len(n))
			}
		}
	case *FetchUpdate:
		if u.ModSeq > s.highestModSeq {
			s.highestModSeq = u.ModSeq
		}
	case *StatusUpdate:
		switch u.Status.Code {
		case imap.CodeUIDNext:
			if n, err := imap.ParseCodeNum(u.Status.CodeArg); err == nil {
				s.uidNext = uint32(n)
			}
		case imap.CodeHighestModSeq:
			if n, err := imap.ParseCodeNum(u.Status.CodeArg); err == nil {
				s.highestModSeq = n
			}
		}
	}
}
