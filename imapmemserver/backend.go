package imapmemserver

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/imapclient-go/imapclient/imap"
)

// delim is the hierarchy delimiter of every mailbox name.
const delim = '/'

// specialFolders are created for every user, with their RFC 6154
// attributes.
var specialFolders = []struct{ name, use string }{
	{"Archive", imap.SpecialUseArchive},
	{"Drafts", imap.SpecialUseDrafts},
	{"Junk", imap.SpecialUseJunk},
	{"Sent", imap.SpecialUseSent},
	{"Trash", imap.SpecialUseTrash},
}

// Errors of backend operations; the command handlers turn them into NO
// responses with the right code.
var (
	errNoMailbox     = errors.New("mailbox does not exist")
	errMailboxExists = errors.New("mailbox already exists")
	errBadName       = errors.New("invalid mailbox name")
	errInbox         = errors.New("INBOX cannot be deleted")
	errHasChildren   = errors.New("mailbox has children, delete them first")
	errNoUser        = errors.New("no such user")
	errUserExists    = errors.New("user already exists")
)

// backend holds every user's mailboxes. One mutex guards all of it,
// including the selections' pending updates; sessions never write to the
// network while holding it.
type backend struct {
	mu           sync.Mutex
	users        map[string]*user
	nextValidity uint32
}

func newBackend() *backend {
	return &backend{users: make(map[string]*user), nextValidity: uint32(time.Now().Unix())}
}

type user struct {
	name, password string
	mailboxes      map[string]*mailbox // by canonical name (UTF-8)
	subscribed     map[string]bool
}

type mailbox struct {
	name        string // canonical, UTF-8
	specialUse  string
	uidValidity uint32
	uidNext     uint32
	modSeq      uint64 // HIGHESTMODSEQ
	msgs        []*message
	keywords    []string // keywords ever used, in order of appearance
	selections  map[*selection]struct{}
}

// message is one stored message. raw and parsed never change after
// APPEND; the rest is guarded by backend.mu.
type message struct {
	uid    uint32
	flags  []string // canonical system flags and keywords, no \Recent
	date   time.Time
	raw    []byte
	parsed *parsedMessage
	modSeq uint64
	recent bool // not yet claimed by a session
}

// selection is a session's selected state. uids is the session's view of
// the mailbox: sequence number i+1 is uids[i]. The backend queues changes
// made by others in pending and pokes wake; the session applies them to
// its view when it may send untagged updates.
type selection struct {
	mbox     *mailbox
	readOnly bool
	uids     []uint32
	recent   map[uint32]bool
	pending  []update
	wake     chan struct{}
}

type updateKind uint8

const (
	updNew updateKind = iota + 1
	updExpunge
	updFlags
)

type update struct {
	kind updateKind
	uid  uint32
}

// canonicalName cleans a mailbox name: INBOX in any case, alone or as the
// first component, becomes "INBOX"; a trailing delimiter is dropped.
func canonicalName(name string) string {
	name = strings.TrimSuffix(name, string(delim))
	first, rest, found := strings.Cut(name, string(delim))
	if strings.EqualFold(first, "INBOX") {
		if found {
			return "INBOX" + string(delim) + rest
		}
		return "INBOX"
	}
	return name
}

func validName(name string) bool {
	// "*" and "%" are wildcards in LIST patterns only: Dovecot and Cyrus
	// accept them in names.
	if name == "" || strings.ContainsAny(name, "\r\n\x00") {
		return false
	}
	for part := range strings.SplitSeq(name, string(delim)) {
		if part == "" {
			return false
		}
	}
	return true
}

func (b *backend) addUser(name, password string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[name]; ok {
		return errUserExists
	}
	u := &user{name: name, password: password, mailboxes: map[string]*mailbox{}, subscribed: map[string]bool{}}
	b.users[name] = u
	b.createLocked(u, "INBOX", "")
	u.subscribed["INBOX"] = true
	for _, f := range specialFolders {
		b.createLocked(u, f.name, f.use)
		u.subscribed[f.name] = true
	}
	return nil
}

func (b *backend) login(name, password string) *user {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[name]
	if u == nil || u.password != password {
		return nil
	}
	return u
}

func (b *backend) userByName(name string) (*user, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u := b.users[name]; u != nil {
		return u, nil
	}
	return nil, errNoUser
}

// createLocked creates name and its missing parents.
func (b *backend) createLocked(u *user, name, use string) *mailbox {
	parts := strings.Split(name, string(delim))
	for i := 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], string(delim))
		if u.mailboxes[parent] == nil {
			b.newMailboxLocked(u, parent, "")
		}
	}
	return b.newMailboxLocked(u, name, use)
}

func (b *backend) newMailboxLocked(u *user, name, use string) *mailbox {
	b.nextValidity++
	mb := &mailbox{name: name, specialUse: use, uidValidity: b.nextValidity, uidNext: 1, modSeq: 1,
		selections: map[*selection]struct{}{}}
	u.mailboxes[name] = mb
	return mb
}

func (b *backend) create(u *user, name, use string) error {
	name = canonicalName(name)
	if !validName(name) {
		return errBadName
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if u.mailboxes[name] != nil {
		return errMailboxExists
	}
	b.createLocked(u, name, use)
	return nil
}

func hasChildrenLocked(u *user, name string) bool {
	prefix := name + string(delim)
	for n := range u.mailboxes {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

func (b *backend) delete(u *user, name string) error {
	name = canonicalName(name)
	b.mu.Lock()
	defer b.mu.Unlock()
	if name == "INBOX" {
		return errInbox
	}
	if u.mailboxes[name] == nil {
		return errNoMailbox
	}
	if hasChildrenLocked(u, name) {
		return errHasChildren
	}
	// Sessions that have it selected keep a detached mailbox.
	delete(u.mailboxes, name)
	return nil
}

// rename renames a mailbox and its children. Renaming INBOX moves its
// messages to the new mailbox and leaves INBOX empty.
func (b *backend) rename(u *user, from, to string) error {
	from, to = canonicalName(from), canonicalName(to)
	if !validName(to) {
		return errBadName
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	src := u.mailboxes[from]
	if src == nil {
		return errNoMailbox
	}
	if u.mailboxes[to] != nil {
		return errMailboxExists
	}
	if strings.HasPrefix(to, from+string(delim)) {
		return errBadName
	}
	if from == "INBOX" {
		dst := b.createLocked(u, to, "")
		now := time.Now()
		for _, m := range src.msgs {
			b.addLocked(dst, m.raw, m.parsed, m.flags, m.date, now)
		}
		uids := make([]uint32, len(src.msgs))
		for i, m := range src.msgs {
			uids[i] = m.uid
		}
		b.expungeLocked(src, uids)
		return nil
	}
	moves := map[string]string{from: to}
	for n := range u.mailboxes {
		if rest, ok := strings.CutPrefix(n, from+string(delim)); ok {
			moves[n] = to + string(delim) + rest
		}
	}
	moved := make(map[string]*mailbox, len(moves))
	for old := range moves {
		moved[old] = u.mailboxes[old]
		delete(u.mailboxes, old)
	}
	for old, mb := range moved {
		mb.name = moves[old]
		u.mailboxes[mb.name] = mb
	}
	// Missing parents of the new name.
	parts := strings.Split(to, string(delim))
	for i := 1; i < len(parts); i++ {
		if p := strings.Join(parts[:i], string(delim)); u.mailboxes[p] == nil {
			b.newMailboxLocked(u, p, "")
		}
	}
	return nil
}

func (b *backend) setSubscribed(u *user, name string, on bool) {
	name = canonicalName(name)
	b.mu.Lock()
	defer b.mu.Unlock()
	if on {
		u.subscribed[name] = true
	} else {
		delete(u.subscribed, name)
	}
}

// mailboxLocked returns the named mailbox or nil.
func mailboxLocked(u *user, name string) *mailbox {
	return u.mailboxes[canonicalName(name)]
}

// normFlags returns flags canonical, without duplicates or \Recent,
// sorted with system flags first.
func normFlags(flags []string) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		f = imap.CanonicalFlag(f)
		if f == imap.FlagRecent || slices.ContainsFunc(out, func(g string) bool { return strings.EqualFold(f, g) }) {
			continue
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := strings.HasPrefix(out[i], `\`), strings.HasPrefix(out[j], `\`)
		if si != sj {
			return si
		}
		return false
	})
	return out
}

func hasFlag(flags []string, f string) bool {
	return slices.ContainsFunc(flags, func(g string) bool { return strings.EqualFold(f, g) })
}

// noteKeywordsLocked records new keywords; it reports whether the list
// grew.
func (mb *mailbox) noteKeywordsLocked(flags []string) bool {
	grew := false
	for _, f := range flags {
		if !strings.HasPrefix(f, `\`) && !hasFlag(mb.keywords, f) {
			mb.keywords = append(mb.keywords, f)
			grew = true
		}
	}
	return grew
}

// addLocked stores a new message and tells the sessions that have the
// mailbox selected.
func (b *backend) addLocked(mb *mailbox, raw []byte, parsed *parsedMessage, flags []string, date, now time.Time) uint32 {
	if date.IsZero() {
		date = now
	}
	mb.modSeq++
	flags = normFlags(flags)
	mb.noteKeywordsLocked(flags)
	m := &message{uid: mb.uidNext, flags: flags, date: date, raw: raw, parsed: parsed, modSeq: mb.modSeq, recent: true}
	mb.uidNext++
	mb.msgs = append(mb.msgs, m)
	b.notifyLocked(mb, updNew, []uint32{m.uid}, nil)
	return m.uid
}

// appendMsg stores a message in the named mailbox.
func (b *backend) appendMsg(u *user, name string, raw []byte, flags []string, date time.Time) (validity, uid uint32, err error) {
	parsed := parseMessage(raw)
	// Serve and count the message as the parser normalised it (CRLF line
	// ends), so that RFC822.SIZE, BODY[] and BODYSTRUCTURE agree.
	if full, ok := parsed.section(""); ok {
		raw = full
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	mb := mailboxLocked(u, name)
	if mb == nil {
		return 0, 0, errNoMailbox
	}
	uid = b.addLocked(mb, raw, parsed, flags, date, time.Now())
	return mb.uidValidity, uid, nil
}

// findLocked returns the message with the UID, or nil.
func (mb *mailbox) findLocked(uid uint32) *message {
	i, ok := slices.BinarySearchFunc(mb.msgs, uid, func(m *message, uid uint32) int {
		return int(int64(m.uid) - int64(uid))
	})
	if !ok {
		return nil
	}
	return mb.msgs[i]
}

// expungeLocked removes the messages with the given UIDs and tells every
// session that has the mailbox selected, the caller's included.
func (b *backend) expungeLocked(mb *mailbox, uids []uint32) []uint32 {
	if len(uids) == 0 {
		return nil
	}
	drop := make(map[uint32]bool, len(uids))
	for _, u := range uids {
		drop[u] = true
	}
	var gone []uint32
	mb.msgs = slices.DeleteFunc(mb.msgs, func(m *message) bool {
		if drop[m.uid] {
			gone = append(gone, m.uid)
			return true
		}
		return false
	})
	if len(gone) > 0 {
		mb.modSeq++
		b.notifyLocked(mb, updExpunge, gone, nil)
	}
	return gone
}

// notifyLocked queues an update for every selection of the mailbox but
// skip.
func (b *backend) notifyLocked(mb *mailbox, kind updateKind, uids []uint32, skip *selection) {
	for sel := range mb.selections {
		if sel == skip {
			continue
		}
		for _, u := range uids {
			sel.pending = append(sel.pending, update{kind, u})
		}
		poke(sel.wake)
	}
}

// selectMailbox makes a selection of the named mailbox, and returns its
// numbers as the selection sees them. SELECT claims the recent messages;
// EXAMINE only counts them.
func (b *backend) selectMailbox(u *user, name string, readOnly bool) (*selection, mailboxStatus, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	mb := mailboxLocked(u, name)
	if mb == nil {
		return nil, mailboxStatus{}, errNoMailbox
	}
	st := statusLocked(mb)
	sel := &selection{mbox: mb, readOnly: readOnly, recent: map[uint32]bool{}, wake: make(chan struct{}, 1)}
	sel.uids = make([]uint32, len(mb.msgs))
	for i, m := range mb.msgs {
		sel.uids[i] = m.uid
		if m.recent {
			sel.recent[m.uid] = true
			if !readOnly {
				m.recent = false
			}
		}
	}
	st.recent = uint32(len(sel.recent))
	mb.selections[sel] = struct{}{}
	return sel, st, nil
}

func (b *backend) unselect(sel *selection) {
	if sel == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(sel.mbox.selections, sel)
}

// mailboxInfo is what LIST, LSUB and STATUS need of a mailbox.
type mailboxInfo struct {
	name        string
	specialUse  string
	hasChildren bool
	subscribed  bool
	exists      bool // false for a subscription to a missing mailbox
}

// listMailboxes returns every mailbox of u, and the subscriptions to
// missing ones, sorted by name (INBOX first).
func (b *backend) listMailboxes(u *user) []mailboxInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]mailboxInfo, 0, len(u.mailboxes))
	for n, mb := range u.mailboxes {
		out = append(out, mailboxInfo{name: n, specialUse: mb.specialUse, hasChildren: hasChildrenLocked(u, n),
			subscribed: u.subscribed[n], exists: true})
	}
	for n := range u.subscribed {
		if u.mailboxes[n] == nil {
			out = append(out, mailboxInfo{name: n, subscribed: true, hasChildren: hasChildrenLocked(u, n)})
		}
	}
	slices.SortFunc(out, func(a, b mailboxInfo) int {
		if (a.name == "INBOX") != (b.name == "INBOX") {
			if a.name == "INBOX" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// mailboxStatus holds the numbers of STATUS and SELECT.
type mailboxStatus struct {
	messages, recent, unseen, deleted uint32
	uidNext, uidValidity              uint32
	firstUnseen                       uint32 // sequence number, 0 for none
	size                              uint64
	highestModSeq                     uint64
	keywords                          []string
}

func statusLocked(mb *mailbox) mailboxStatus {
	st := mailboxStatus{messages: uint32(len(mb.msgs)), uidNext: mb.uidNext, uidValidity: mb.uidValidity,
		highestModSeq: mb.modSeq, keywords: slices.Clone(mb.keywords)}
	for i, m := range mb.msgs {
		if m.recent {
			st.recent++
		}
		if !hasFlag(m.flags, imap.FlagSeen) {
			st.unseen++
			if st.firstUnseen == 0 {
				st.firstUnseen = uint32(i + 1)
			}
		}
		if hasFlag(m.flags, imap.FlagDeleted) {
			st.deleted++
		}
		st.size += uint64(len(m.raw))
	}
	return st
}

func (b *backend) status(u *user, name string) (mailboxStatus, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	mb := mailboxLocked(u, name)
	if mb == nil {
		return mailboxStatus{}, errNoMailbox
	}
	return statusLocked(mb), nil
}
