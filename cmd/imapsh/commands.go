package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// argKind says how to complete an argument.
type argKind int

const (
	argNone argKind = iota
	argFolder
	argVerb
	argWords // one of command.words
)

// command is one verb of the shell.
type command struct {
	name    string
	aliases []string
	usage   string
	summary string
	min     int // minimum number of words after the verb
	max     int // maximum; -1 for any
	conn    bool
	// args says how to complete the words after the verb, by position;
	// the last kind repeats.
	args  []argKind
	words []string
	run   func(s *shell, ctx context.Context, cl *cmdLine) (any, error)
}

func (c *command) checkArgs(cl *cmdLine) error {
	n := len(cl.args)
	if n < c.min || (c.max >= 0 && n > c.max) {
		what := "too many arguments"
		if n < c.min {
			what = "missing arguments"
		}
		return &usageError{msg: what, usage: c.usage}
	}
	return nil
}

func (c *command) argKind(i int) argKind {
	if len(c.args) == 0 {
		return argNone
	}
	if i >= len(c.args) {
		return c.args[len(c.args)-1]
	}
	return c.args[i]
}

// commands is the verb table; see init for the entries that refer to it.
var commands []*command

func init() {
	commands = []*command{
		{name: "capabilities", aliases: []string{"caps"}, usage: "capabilities", summary: "list the server's capabilities", conn: true, run: cmdCapabilities},
		{name: "folders", aliases: []string{"list", "ls"}, usage: "folders [PATTERN]", summary: "list folders (PATTERN: * any text, % within a level)", max: 1, conn: true, run: cmdFolders},
		{name: "select", usage: "select FOLDER", summary: "open a folder read-write", min: 1, max: 1, args: []argKind{argFolder}, conn: true, run: cmdSelect},
		{name: "examine", usage: "examine FOLDER", summary: "open a folder read-only", min: 1, max: 1, args: []argKind{argFolder}, conn: true, run: cmdSelect},
		{name: "unselect", usage: "unselect", summary: "leave the selected folder (UNSELECT)", conn: true, run: cmdUnselect},
		{name: "close", usage: "close", summary: `leave the selected folder, expunging its messages flagged \Deleted (CLOSE)`, conn: true, run: cmdUnselect},
		{name: "status", usage: "status FOLDER [ITEM...]", summary: "a folder's counts without selecting it (MESSAGES, UNSEEN, UIDNEXT, ...)", min: 1, max: -1, args: []argKind{argFolder, argWords}, words: []string{"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "HIGHESTMODSEQ"}, conn: true, run: cmdStatus},
		{name: "search", usage: "search [CRITERIA...]", summary: `search the selected folder (IMAP criteria, e.g. UNSEEN FROM "bob" SINCE 1-Jan-2024)`, max: -1, conn: true, run: cmdSearch},
		{name: "sort", usage: "sort KEY... [-- CRITERIA...]", summary: "search and sort (keys: ARRIVAL CC DATE FROM SIZE SUBJECT TO, each maybe after REVERSE)", min: 1, max: -1, args: []argKind{argWords}, words: []string{"REVERSE", "ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "--"}, conn: true, run: cmdSort},
		{name: "thread", usage: "thread [ALGORITHM] [CRITERIA...]", summary: "search and group into conversations (REFERENCES or ORDEREDSUBJECT)", max: -1, args: []argKind{argWords}, words: []string{"REFERENCES", "ORDEREDSUBJECT"}, conn: true, run: cmdThread},
		{name: "fetch", usage: "fetch SET ITEM...", summary: "fetch message data (FLAGS, ENVELOPE, BODY.PEEK[HEADER], BODYSTRUCTURE, ...)", min: 2, max: -1, args: []argKind{argNone, argWords}, words: []string{"FLAGS", "UID", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[]", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "MODSEQ", "ALL", "FAST", "FULL"}, conn: true, run: cmdFetch},
		{name: "flags", usage: "flags [get|add|remove|set] SET [FLAG...]", summary: `show or change flags (\Seen \Answered \Flagged \Deleted \Draft, or keywords)`, min: 1, max: -1, args: []argKind{argWords, argNone, argWords}, words: []string{"get", "add", "remove", "set", `\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`}, conn: true, run: cmdFlags},
		{name: "append", usage: "append FOLDER FILE [FLAG...]", summary: "add the message in FILE to FOLDER", min: 2, max: -1, args: []argKind{argFolder, argNone, argWords}, words: []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`}, conn: true, run: cmdAppend},
		{name: "copy", usage: "copy SET FOLDER", summary: "copy messages to a folder", min: 2, max: 2, args: []argKind{argNone, argFolder}, conn: true, run: cmdCopyMove},
		{name: "move", usage: "move SET FOLDER", summary: "move messages to a folder", min: 2, max: 2, args: []argKind{argNone, argFolder}, conn: true, run: cmdCopyMove},
		{name: "expunge", usage: "expunge [SET]", summary: `remove the messages flagged \Deleted (only those in SET, with UIDPLUS)`, max: 1, conn: true, run: cmdExpunge},
		{name: "idle", usage: "idle [SECONDS]", summary: "wait for changes in the selected folder (Ctrl-C stops)", max: 1, conn: true, run: cmdIdle},
		{name: "namespace", usage: "namespace", summary: "the server's namespaces", conn: true, run: cmdNamespace},
		{name: "id", usage: "id", summary: "exchange identification with the server (RFC 2971)", conn: true, run: cmdID},
		{name: "quota", usage: "quota [FOLDER]", summary: "the quota roots and usage of a folder (INBOX by default)", max: 1, args: []argKind{argFolder}, conn: true, run: cmdQuota},
		{name: "acl", usage: "acl FOLDER", summary: "a folder's access control list and your rights", min: 1, max: 1, args: []argKind{argFolder}, conn: true, run: cmdACL},
		{name: "create", usage: "create FOLDER", summary: "create a folder", min: 1, max: 1, args: []argKind{argFolder}, conn: true, run: cmdFolderOp},
		{name: "delete", usage: "delete FOLDER", summary: "delete a folder", min: 1, max: 1, args: []argKind{argFolder}, conn: true, run: cmdFolderOp},
		{name: "rename", usage: "rename FOLDER NEWNAME", summary: "rename a folder", min: 2, max: 2, args: []argKind{argFolder}, conn: true, run: cmdFolderOp},
		{name: "noop", usage: "noop", summary: "ask the server for news (NOOP)", conn: true, run: cmdNoop},
		{name: "raw", usage: "raw COMMAND...", summary: `send any command line, e.g. raw GETMETADATA "" /shared/comment`, min: 1, max: -1, conn: true, run: cmdRaw},
		{name: "export", usage: "export FOLDER DIR [--mbox]", summary: "save a folder to a maildir (or mbox) in DIR; run again to fetch only new messages", min: 2, max: 3, args: []argKind{argFolder, argNone, argWords}, words: []string{"--mbox", "--maildir"}, conn: true, run: cmdExport},
		{name: "trace", usage: "trace [on|off]", summary: "show the protocol on stderr (credentials redacted)", max: 1, args: []argKind{argWords}, words: []string{"on", "off"}, run: cmdTrace},
		{name: "uid", usage: "uid [on|off]", summary: "use UIDs (on, the default) or sequence numbers (off) for message sets", max: 1, args: []argKind{argWords}, words: []string{"on", "off"}, run: cmdUID},
		{name: "reconnect", usage: "reconnect", summary: "connect and log in again", run: cmdReconnect},
		{name: "help", aliases: []string{"?"}, usage: "help [COMMAND]", summary: "this list, or the usage of a command", max: 1, args: []argKind{argVerb}, run: cmdHelp},
		{name: "quit", aliases: []string{"exit", "logout"}, usage: "quit", summary: "log out and leave", run: cmdQuit},
	}
}

func lookup(verb string) *command {
	verb = strings.ToLower(verb)
	for _, c := range commands {
		if c.name == verb || slices.Contains(c.aliases, verb) {
			return c
		}
	}
	return nil
}

// verbNames lists the verbs and aliases, for completion.
func verbNames() []string {
	var out []string
	for _, c := range commands {
		out = append(out, c.name)
		out = append(out, c.aliases...)
	}
	slices.Sort(out)
	return out
}

type helpResult struct {
	Commands []helpEntry `json:"commands"`
}

type helpEntry struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	Usage   string   `json:"usage"`
	Summary string   `json:"summary"`
}

func (h helpResult) text(w io.Writer) {
	if len(h.Commands) == 1 {
		e := h.Commands[0]
		fmt.Fprintf(w, "usage: %s\n  %s\n", e.Usage, e.Summary)
		if len(e.Aliases) > 0 {
			fmt.Fprintf(w, "  also: %s\n", strings.Join(e.Aliases, ", "))
		}
		return
	}
	width := 0
	for _, e := range h.Commands {
		width = max(width, len(e.Usage))
	}
	for _, e := range h.Commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, e.Usage, e.Summary)
	}
	fmt.Fprint(w, `
SET is a message set: 1,3,5:9, 10:*, 50-65 (UIDs unless "uid off").
Words are split as in a shell: quote folder names with spaces ("Reports & Plans").
Several commands can go on one line, separated by ';'.
`)
}

func cmdHelp(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	if len(cl.args) == 1 {
		c := lookup(cl.args[0])
		if c == nil {
			return nil, fmt.Errorf("no command %q", cl.args[0])
		}
		return helpResult{Commands: []helpEntry{{c.name, c.aliases, c.usage, c.summary}}}, nil
	}
	var h helpResult
	for _, c := range commands {
		h.Commands = append(h.Commands, helpEntry{c.name, c.aliases, c.usage, c.summary})
	}
	return h, nil
}

func cmdQuit(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	s.quit = true
	return nil, nil
}
