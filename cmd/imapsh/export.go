package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/imapclient-go/imapclient"
)

// stateFileName is the file in the export directory that makes exports
// resumable: the folder's UIDVALIDITY and the last UID saved.
const stateFileName = ".imapsh-export.json"

type exportState struct {
	Folder      string    `json:"folder"`
	Format      string    `json:"format"`
	UIDValidity uint32    `json:"uidvalidity"`
	LastUID     uint32    `json:"last_uid"`
	Messages    int       `json:"messages"`
	MboxSize    int64     `json:"mbox_size,omitempty"`
	Updated     time.Time `json:"updated"`
}

type exportResult struct {
	Folder      string `json:"folder"`
	Dir         string `json:"dir"`
	Format      string `json:"format"`
	Path        string `json:"path"`
	UIDValidity uint32 `json:"uidvalidity"`
	Exported    int    `json:"exported"`
	Total       int    `json:"total"`
	Bytes       int64  `json:"bytes"`
	LastUID     uint32 `json:"last_uid"`
	Restarted   bool   `json:"restarted,omitempty"`
}

func (r exportResult) text(w io.Writer) {
	if r.Exported == 0 {
		fmt.Fprintf(w, "%s is up to date in %s (%d messages, last UID %d)\n", r.Folder, r.Path, r.Total, r.LastUID)
		return
	}
	fmt.Fprintf(w, "exported %d new messages (%s) from %s to %s %s; %d in all, last UID %d\n",
		r.Exported, fmtSize(r.Bytes), r.Folder, r.Format, r.Path, r.Total, r.LastUID)
}

// exportWriter stores messages in one format.
type exportWriter interface {
	// write stores one message read from body; flags and date are those
	// known so far (more may arrive with the body: see finish).
	write(uid uint32, flags []string, date time.Time, body io.Reader) (int64, error)
	// commit makes the message written last permanent, with its final
	// flags.
	commit(uid uint32, flags []string, date time.Time) error
	// checkpoint returns the position to record in the state (mbox size).
	checkpoint() (int64, error)
	close() error
	path() string
}

func readState(dir string) (*exportState, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st exportState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, stateFileName), err)
	}
	return &st, nil
}

func writeState(dir string, st *exportState) error {
	st.Updated = time.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateFileName+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, stateFileName))
}

// fetchBatch is the number of UIDs per FETCH of the export.
const fetchBatch = 250

func cmdExport(s *shell, ctx context.Context, cl *cmdLine) (any, error) {
	folder, dir := cl.args[0], cl.args[1]
	format := "maildir"
	if len(cl.args) == 3 {
		switch cl.args[2] {
		case "--mbox", "mbox":
			format = "mbox"
		case "--maildir", "maildir":
		default:
			return nil, &usageError{msg: fmt.Sprintf("unknown option %q", cl.args[2]), usage: lookup("export").usage}
		}
	}
	st, err := readState(dir)
	if err != nil {
		return nil, err
	}
	if st != nil && (st.Folder != folder || st.Format != format) {
		return nil, fmt.Errorf("%s holds the %s export of %q: choose another directory", dir, st.Format, st.Folder)
	}

	// Export by UID, from the folder opened read-only; the shell's
	// selection and UID mode are restored afterwards.
	prevName, prevRO, hadSel := s.c.SelectedFolder()
	prevUID := s.c.UseUID()
	s.c.SetUseUID(true)
	defer func() {
		s.c.SetUseUID(prevUID)
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if hadSel {
			s.c.SelectFolder(rctx, prevName, prevRO)
		} else if _, _, ok := s.c.SelectedFolder(); ok {
			if err := s.c.UnselectFolder(rctx); err != nil {
				s.c.CloseFolder(rctx) // read-only: expunges nothing
			}
		}
	}()
	sel, err := s.c.SelectFolder(ctx, folder, true)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	res := exportResult{Folder: folder, Dir: dir, Format: format, UIDValidity: sel.UIDValidity}
	if st != nil && st.UIDValidity != sel.UIDValidity {
		s.p.note("export: the UIDVALIDITY of %s changed (%d, now %d): its UIDs mean other messages now, so the export starts over", folder, st.UIDValidity, sel.UIDValidity)
		if err := clearExport(dir, folder, format, st.UIDValidity); err != nil {
			return nil, err
		}
		st, res.Restarted = nil, true
	}
	if st == nil {
		st = &exportState{Folder: folder, Format: format, UIDValidity: sel.UIDValidity}
	}

	var todo []uint32
	if sel.Exists > 0 {
		var q imapclient.Criteria
		found, err := s.c.Search(ctx, q.UID(imapclient.SetString(fmt.Sprintf("%d:*", st.LastUID+1))), nil)
		if err != nil {
			return nil, err
		}
		for _, uid := range found.IDs {
			if uid > st.LastUID { // "N:*" includes the last message even when its UID is below N
				todo = append(todo, uid)
			}
		}
		slices.Sort(todo)
	}

	var w exportWriter
	if format == "mbox" {
		w, err = openMbox(filepath.Join(dir, safeFileName(folder)+".mbox"), st.MboxSize)
	} else {
		w, err = openMaildir(dir, sel.UIDValidity, st.LastUID)
	}
	if err != nil {
		return nil, err
	}
	res.Path = w.path()
	defer w.close()
	if err := writeState(dir, st); err != nil {
		return nil, err
	}

	prog := newProgress(s, folder, len(todo))
	n, bytes, err := exportMessages(ctx, s.c, w, st, dir, todo, prog)
	prog.finish(err == nil)
	res.Exported, res.Bytes = n, bytes
	res.Total, res.LastUID = st.Messages, st.LastUID
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped after %d of %d messages; run the same export again to resume", n, len(todo))
		}
		return nil, err
	}
	if err := w.close(); err != nil {
		return nil, err
	}
	return res, nil
}

// exportMessages fetches the messages of todo (sorted UIDs) and writes
// them, streaming each body from the connection to its file. The state
// records the highest UID below which every message is saved, so that an
// interrupted export resumes without losing or repeating messages.
func exportMessages(ctx context.Context, c *imapclient.Client, w exportWriter, st *exportState, dir string, todo []uint32, prog *progress) (int, int64, error) {
	done := make(map[uint32]bool, min(len(todo), fetchBatch))
	next := 0 // todo[next] is the first UID not yet saved
	var count int
	var total int64
	advance := func() error {
		moved := false
		for next < len(todo) && done[todo[next]] {
			delete(done, todo[next])
			st.LastUID = todo[next]
			next++
			moved = true
		}
		if !moved {
			return nil
		}
		pos, err := w.checkpoint()
		if err != nil {
			return err
		}
		st.MboxSize = pos
		return writeState(dir, st)
	}
	items := []string{"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[]"}
	for i := 0; i < len(todo); i += fetchBatch {
		batch := todo[i:min(i+fetchBatch, len(todo))]
		for msg, err := range c.FetchIter(ctx, imapclient.IDs(batch), items) {
			if err != nil {
				return count, total, err
			}
			if msg.UID == 0 || done[msg.UID] || !slices.Contains(batch, msg.UID) {
				continue
			}
			sec, err := msg.NextSection()
			if errors.Is(err, io.EOF) {
				continue // no body in this response: a server's extra FETCH
			}
			if err != nil {
				return count, total, err
			}
			if sec.Nil {
				return count, total, fmt.Errorf("the server sent no content for UID %d", msg.UID)
			}
			n, err := w.write(msg.UID, msg.Flags, msg.InternalDate, sec)
			if err != nil {
				return count, total, err
			}
			// Metadata after the body (rare) arrives as the rest is read.
			for {
				if _, err := msg.NextSection(); err != nil {
					if !errors.Is(err, io.EOF) {
						return count, total, err
					}
					break
				}
			}
			if err := w.commit(msg.UID, msg.Flags, msg.InternalDate); err != nil {
				return count, total, err
			}
			done[msg.UID] = true
			count++
			total += n
			st.Messages++
			if err := advance(); err != nil {
				return count, total, err
			}
			prog.add(n)
		}
	}
	if next < len(todo) {
		// Messages expunged since the search: nothing to save for them.
		for _, uid := range todo[next:] {
			done[uid] = true
		}
		if err := advance(); err != nil {
			return count, total, err
		}
	}
	return count, total, nil
}

// clearExport removes what an export with another UIDVALIDITY wrote.
func clearExport(dir, folder, format string, validity uint32) error {
	if format == "mbox" {
		err := os.Remove(filepath.Join(dir, safeFileName(folder)+".mbox"))
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		return err
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			continue
		}
		for _, e := range ents {
			if v, _, ok := parseMaildirName(e.Name()); ok && v == validity {
				if err := os.Remove(filepath.Join(dir, sub, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// safeFileName makes a folder name usable as a file name.
func safeFileName(name string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", "\x00", "_", ":", "_")
	name = r.Replace(name)
	if name == "" || name == "." || name == ".." {
		name = "_" + name
	}
	return name
}
