package imapclient_test

// The injection suite's entry points: every API that takes a string a
// caller controls (see injection_test.go).

import (
	"bytes"
	"context"
	"time"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imap"
)

// injEntry is one entry point: call passes s where the API takes a string.
type injEntry struct {
	name  string
	state string // "noauth", "auth" or "selected"
	call  func(ctx context.Context, c *imapclient.Client, s string) error
}

func ignore2[T any](_ T, err error) error         { return err }
func ignore3[T, U any](_ T, _ U, err error) error { return err }

var (
	injMsg = []byte("From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n")
	injQ   imapclient.Criteria
)

// injSearch runs Search with criteria built from s.
func injSearch(crit func(s string) any) func(ctx context.Context, c *imapclient.Client, s string) error {
	return func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Search(ctx, crit(s), nil))
	}
}

var injEntries = []injEntry{
	// Authentication.
	{"Login user", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.Login(ctx, s, "pw") }},
	{"Login password", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.Login(ctx, "alice", s) }},
	{"PlainLogin user", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.PlainLogin(ctx, s, "pw", "") }},
	{"PlainLogin password", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.PlainLogin(ctx, "alice", s, "")
	}},
	{"PlainLogin authzid", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.PlainLogin(ctx, "alice", "pw", s)
	}},
	{"OAuth2Login user", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.OAuth2Login(ctx, s, "tok") }},
	{"OAuth2Login token", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.OAuth2Login(ctx, "alice", s) }},
	{"OAuth2LoginVendor vendor", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.OAuth2LoginVendor(ctx, "alice", "tok", s)
	}},
	{"OAuthBearerLogin user", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.OAuthBearerLogin(ctx, s, "tok")
	}},
	{"OAuthBearerLogin token", "noauth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.OAuthBearerLogin(ctx, "alice", s)
	}},
	// Folders.
	{"CreateFolder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.CreateFolder(ctx, s) }},
	{"CreateFolderWith name", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.CreateFolderWith(ctx, s, &imapclient.CreateOptions{SpecialUse: []string{imap.SpecialUseSent}}))
	}},
	{"CreateFolderWith special use", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.CreateFolderWith(ctx, "X", &imapclient.CreateOptions{SpecialUse: []string{s}}))
	}},
	{"DeleteFolder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.DeleteFolder(ctx, s) }},
	{"RenameFolder old", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.RenameFolder(ctx, s, "new") }},
	{"RenameFolder new", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.RenameFolder(ctx, "old", s) }},
	{"SelectFolder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SelectFolder(ctx, s, false))
	}},
	{"SelectFolderWith", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SelectFolderWith(ctx, s, &imapclient.SelectOptions{ReadOnly: true, CondStore: true}))
	}},
	{"FolderStatus name", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.FolderStatus(ctx, s))
	}},
	{"FolderStatus item", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.FolderStatus(ctx, "INBOX", s))
	}},
	{"FolderExists", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.FolderExists(ctx, s))
	}},
	{"FolderMailboxID", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.FolderMailboxID(ctx, s))
	}},
	{"AppendLimit", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return ignore3(c.AppendLimit(ctx, s)) }},
	{"ListFolders directory", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ListFolders(ctx, s, "*"))
	}},
	{"ListFolders pattern", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ListFolders(ctx, "", s))
	}},
	{"ListSubFolders pattern", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ListSubFolders(ctx, "", s))
	}},
	{"XListFolders pattern", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.XListFolders(ctx, "", s))
	}},
	{"ListFoldersWith directory", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ListFoldersWith(ctx, &imapclient.ListOptions{Directory: s, ReturnChildren: true}))
	}},
	{"ListFoldersWith patterns", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ListFoldersWith(ctx, &imapclient.ListOptions{Patterns: []string{"INBOX", s}}))
	}},
	{"ListFoldersWith status items", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ListFoldersWith(ctx, &imapclient.ListOptions{ReturnStatus: []string{s}}))
	}},
	{"SubscribeFolder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.SubscribeFolder(ctx, s) }},
	{"UnsubscribeFolder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.UnsubscribeFolder(ctx, s) }},
	{"Append folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Append(ctx, s, injMsg, nil, time.Time{}))
	}},
	{"Append flag", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Append(ctx, "INBOX", injMsg, []string{s}, time.Time{}))
	}},
	{"AppendReader folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.AppendReader(ctx, s, bytes.NewReader(injMsg), int64(len(injMsg)), nil, time.Time{}))
	}},
	{"MultiAppend folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.MultiAppend(ctx, s, []imapclient.AppendMessage{{Msg: injMsg}, {Msg: injMsg}}))
	}},
	{"MultiAppend flag", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.MultiAppend(ctx, "INBOX", []imapclient.AppendMessage{{Msg: injMsg}, {Msg: injMsg, Flags: []string{s}}}))
	}},
	{"Copy destination", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Copy(ctx, imapclient.ID(1), s))
	}},
	{"Move destination", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Move(ctx, imapclient.ID(1), s))
	}},
	// ACL and quota.
	{"GetACL folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return ignore2(c.GetACL(ctx, s)) }},
	{"SetACL folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.SetACL(ctx, s, "bob", "lr") }},
	{"SetACL identifier", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.SetACL(ctx, "INBOX", s, "lr")
	}},
	{"SetACL rights", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.SetACL(ctx, "INBOX", "bob", s)
	}},
	{"DeleteACL folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.DeleteACL(ctx, s, "bob") }},
	{"DeleteACL identifier", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return c.DeleteACL(ctx, "INBOX", s) }},
	{"MyRights folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return ignore2(c.MyRights(ctx, s)) }},
	{"GetQuota folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return ignore2(c.GetQuota(ctx, s)) }},
	{"GetQuotaRoot folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.GetQuotaRoot(ctx, s))
	}},
	{"GetQuotaForRoot root", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.GetQuotaForRoot(ctx, s))
	}},
	{"SetQuota root", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SetQuota(ctx, s, map[string]int64{"STORAGE": 10}))
	}},
	{"SetQuota resource", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SetQuota(ctx, "", map[string]int64{s: 10}))
	}},
	// Metadata.
	{"GetMetadata folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.GetMetadata(ctx, s, []string{"/private/comment"}, nil))
	}},
	{"GetMetadata entry", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.GetMetadata(ctx, "INBOX", []string{"/private/" + s}, nil))
	}},
	{"SetMetadata folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		v := "x"
		return c.SetMetadata(ctx, s, map[string]*string{"/private/comment": &v})
	}},
	{"SetMetadata entry", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		v := "x"
		return c.SetMetadata(ctx, "INBOX", map[string]*string{"/private/" + s: &v})
	}},
	{"SetMetadata value", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.SetMetadata(ctx, "INBOX", map[string]*string{"/private/comment": &s})
	}},
	// Session.
	{"ID name", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ID(ctx, map[string]string{s: "v"}))
	}},
	{"ID value", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.ID(ctx, map[string]string{"name": s}))
	}},
	{"Enable", "auth", func(ctx context.Context, c *imapclient.Client, s string) error { return ignore2(c.Enable(ctx, s)) }},
	{"RawCommand", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore3(c.RawCommand(ctx, "NOOP "+s))
	}},
	{"Notify folder", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.Notify(ctx, &imapclient.NotifySpec{Groups: []imapclient.NotifyGroup{{Filter: imapclient.NotifyMailboxes,
			Folders: []string{s}, Events: []imapclient.NotifyEvent{imapclient.NotifyMessageNew, imapclient.NotifyMessageExpunge}}}})
	}},
	{"Notify fetch item", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.Notify(ctx, &imapclient.NotifySpec{Groups: []imapclient.NotifyGroup{{Filter: imapclient.NotifySelected,
			Events: []imapclient.NotifyEvent{imapclient.NotifyMessageNew, imapclient.NotifyMessageExpunge}, FetchItems: []string{s}}}})
	}},
	{"Notify event", "auth", func(ctx context.Context, c *imapclient.Client, s string) error {
		return c.Notify(ctx, &imapclient.NotifySpec{Groups: []imapclient.NotifyGroup{{Filter: imapclient.NotifySelected,
			Events: []imapclient.NotifyEvent{imapclient.NotifyEvent(s)}}}})
	}},
	// Search, in every form.
	{"Criteria From", "selected", injSearch(func(s string) any { return injQ.From(s) })},
	{"Criteria Subject", "selected", injSearch(func(s string) any { return injQ.Subject(s) })},
	{"Criteria Body", "selected", injSearch(func(s string) any { return injQ.Body(s) })},
	{"Criteria Text", "selected", injSearch(func(s string) any { return injQ.Text(s) })},
	{"Criteria To", "selected", injSearch(func(s string) any { return injQ.To(s) })},
	{"Criteria Cc", "selected", injSearch(func(s string) any { return injQ.Cc(s) })},
	{"Criteria Bcc", "selected", injSearch(func(s string) any { return injQ.Bcc(s) })},
	{"Criteria Header name", "selected", injSearch(func(s string) any { return injQ.Header(s, "v") })},
	{"Criteria Header value", "selected", injSearch(func(s string) any { return injQ.Header("X-Tag", s) })},
	{"Criteria Keyword", "selected", injSearch(func(s string) any { return injQ.Keyword(s) })},
	{"Criteria Unkeyword", "selected", injSearch(func(s string) any { return injQ.Unkeyword(s) })},
	{"Criteria Flag", "selected", injSearch(func(s string) any { return injQ.Flag(s) })},
	{"Criteria NoFlag", "selected", injSearch(func(s string) any { return injQ.NoFlag(s) })},
	{"Criteria GmailRaw", "selected", injSearch(func(s string) any { return injQ.GmailRaw(s) })},
	{"Criteria Key name", "selected", injSearch(func(s string) any { return injQ.Key(s) })},
	{"Criteria Key value", "selected", injSearch(func(s string) any { return injQ.Key("X-FOO", s) })},
	{"Criteria Raw", "selected", injSearch(func(s string) any { return injQ.Raw(s) })},
	{"Criteria Or/Not", "selected", injSearch(func(s string) any { return injQ.Or(injQ.From(s), injQ.Not(injQ.To(s))) })},
	{"raw criteria string", "selected", injSearch(func(s string) any { return "SUBJECT " + s })},
	{"slice value", "selected", injSearch(func(s string) any { return []any{"SUBJECT", s} })},
	{"slice key", "selected", injSearch(func(s string) any { return []any{s} })},
	{"slice nested", "selected", injSearch(func(s string) any { return []any{"OR", []any{"FROM", s}, []any{"TO", s}} })},
	{"slice bytes", "selected", injSearch(func(s string) any { return []any{"SUBJECT", []byte(s)} })},
	{"SearchOptions charset", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Search(ctx, injQ.Subject("é"), &imapclient.SearchOptions{Charset: s}))
	}},
	{"SearchExtended return option", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SearchExtended(ctx, "ALL", []string{s}, nil))
	}},
	{"GmailSearch", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.GmailSearch(ctx, s, nil))
	}},
	{"Sort key", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Sort(ctx, []string{s}, "ALL", nil))
	}},
	{"Sort criteria", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Sort(ctx, []string{"DATE"}, injQ.Subject(s), nil))
	}},
	{"Thread algorithm", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Thread(ctx, s, "ALL", nil))
	}},
	{"Thread criteria", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Thread(ctx, "REFERENCES", []any{"SUBJECT", s}, nil))
	}},
	// Flags and labels.
	{"AddFlags", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.AddFlags(ctx, imapclient.ID(1), []string{s}, false))
	}},
	{"RemoveFlags", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.RemoveFlags(ctx, imapclient.ID(1), []string{s}, false))
	}},
	{"SetFlags", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SetFlags(ctx, imapclient.ID(1), []string{s}, true))
	}},
	{"StoreFlags", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.StoreFlags(ctx, imapclient.ID(1), imapclient.StoreAdd, []string{s}, &imapclient.StoreOptions{UnchangedSince: 5}))
	}},
	{"AddGmailLabels", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.AddGmailLabels(ctx, imapclient.ID(1), []string{s}, false))
	}},
	{"RemoveGmailLabels", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.RemoveGmailLabels(ctx, imapclient.ID(1), []string{s}, false))
	}},
	{"SetGmailLabels", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.SetGmailLabels(ctx, imapclient.ID(1), []string{s}, true))
	}},
	// Fetch.
	{"Fetch item", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Fetch(ctx, imapclient.ID(1), []string{s}))
	}},
	{"Fetch header field", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Fetch(ctx, imapclient.ID(1), []string{"BODY.PEEK[HEADER.FIELDS (" + s + ")]"}))
	}},
	{"Fetch modifier", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Fetch(ctx, imapclient.ID(1), []string{"FLAGS"}, s))
	}},
	{"Fetch message set", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore2(c.Fetch(ctx, imapclient.SetString("1"+s), []string{"FLAGS"}))
	}},
	{"FetchIter item", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		for _, err := range c.FetchIter(ctx, imapclient.ID(1), []string{"BODY.PEEK[" + s + "]"}) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"FetchChangedSince item", "selected", func(ctx context.Context, c *imapclient.Client, s string) error {
		return ignore3(c.FetchChangedSince(ctx, imapclient.ID(1), []string{s}, 1, false))
	}},
}
