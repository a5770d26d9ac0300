package imapclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/imapclient-go/imapclient/imapwire"
)

// smallInline makes literals over 64 bytes stream from the connection.
var smallInline = &Options{Limits: &imapwire.Limits{InlineLiteral: 64}}

func bigBody(n int) string {
	return strings.Repeat("0123456789abcdef", n/16+1)[:n]
}

func TestFetchIterStreamsSections(t *testing.T) {
	body := bigBody(5000)
	var ups []string
	opts := &Options{Limits: smallInline.Limits, OnUpdate: func(u Update) { ups = append(ups, fmt.Sprintf("%+v", u)) }}
	c, f := newFetchFake(t, fakeCaps, opts, func(tag, line string) string {
		if !strings.HasPrefix(line, "UID FETCH") {
			return ""
		}
		return `* 1 FETCH (UID 5 FLAGS (\Seen) BODY[] {5000}` + "\r\n" + body +
			` BODY[HEADER.FIELDS (SUBJECT)] {11}` + "\r\nSubject: x\n" +
			` INTERNALDATE "01-Jan-2020 10:00:00 +0000")` + "\r\n" +
			`* 9 FETCH (FLAGS (\Deleted))` + "\r\n" + // an update: not yielded
			`* 4 FETCH (UID 99 FLAGS (\Deleted))` + "\r\n" + // outside the set
			`* 2 FETCH (BODY[] {3}` + "\r\nabc UID 6)\r\n" + // the UID after the data
			`* 3 FETCH (UID 7 BODY[] NIL)` + "\r\n" +
			"{tag} OK done\r\n"
	})
	ctx := ctxFetch(t)
	var got []string
	var kept *StreamMessage
	var keptSec *Section
	for m, err := range c.FetchIter(ctx, IDs{5, 6, 7}, []string{"FLAGS", "BODY.PEEK[]", "BODY.PEEK[HEADER.FIELDS (Subject)]", "INTERNALDATE"}) {
		if err != nil {
			t.Fatal(err)
		}
		kept = m
		desc := []string{"seq=" + itoa(m.SeqNum), "uid=" + itoa(m.UID)}
		if m.SeqNum == 1 && (len(m.Flags) != 1 || !m.InternalDate.IsZero()) {
			t.Errorf("metadata before the first section: %+v", m.Message)
		}
		for sec, err := range m.BodySections() {
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(sec)
			if err != nil {
				t.Fatal(err)
			}
			if sec.Key == "BODY[]" && m.SeqNum == 1 && string(data) != body {
				t.Errorf("body of %d bytes differs", len(data))
			}
			if int64(len(data)) != sec.Size {
				t.Errorf("%s: %d bytes, Size %d", sec.Key, len(data), sec.Size)
			}
			desc = append(desc, sec.Key+"="+itoa(uint32(len(data))))
			if sec.Nil {
				desc = append(desc, "nil")
			}
			keptSec = sec
		}
		if m.SeqNum == 1 && m.InternalDate.IsZero() {
			t.Error("INTERNALDATE after the sections was not stored")
		}
		desc = append(desc, "uid="+itoa(m.UID))
		got = append(got, strings.Join(desc, " "))
	}
	want := []string{
		"seq=1 uid=5 BODY[]=5000 BODY[HEADER.FIELDS (SUBJECT)]=11 uid=5",
		"seq=2 uid=0 BODY[]=3 uid=6",
		"seq=3 uid=7 BODY[]=0 nil uid=7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := strings.Join(ups, " "); got != `&{SeqNum:9 UID:0 Flags:[\Deleted] ModSeq:0} &{SeqNum:4 UID:99 Flags:[\Deleted] ModSeq:0}` {
		t.Errorf("updates %s", got)
	}
	if _, err := kept.NextSection(); !errors.Is(err, errStale) {
		t.Errorf("NextSection after the loop body: %v", err)
	}
	if _, err := keptSec.Read(make([]byte, 1)); !errors.Is(err, errStale) {
		t.Errorf("Read after the loop body: %v", err)
	}
	if f.lastCommand() != `UID FETCH 5:7 (UID FLAGS BODY.PEEK[] BODY.PEEK[HEADER.FIELDS (Subject)] INTERNALDATE)` {
		t.Errorf("command %q", f.lastCommand())
	}
}

func itoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestFetchIterPreviousSectionIsStale(t *testing.T) {
	c, _ := newFetchFake(t, fakeCaps, smallInline, func(tag, line string) string {
		if !strings.HasPrefix(line, "UID FETCH") {
			return ""
		}
		return `* 1 FETCH (UID 5 BODY[1] {200}` + "\r\n" + bigBody(200) + ` BODY[2] {4}` + "\r\nabcd)\r\n{tag} OK\r\n"
	})
	for m, err := range c.FetchIter(ctxFetch(t), ID(5), []string{"BODY[1]", "BODY[2]"}) {
		if err != nil {
			t.Fatal(err)
		}
		s1, err := m.NextSection()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		if _, err := io.ReadFull(s1, buf); err != nil || string(buf) != "0123456789" {
			t.Fatalf("read %q %v", buf, err)
		}
		s2, err := m.NextSection() // skips the rest of s1
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s1.Read(buf); !errors.Is(err, errStale) {
			t.Errorf("read of a previous section: %v", err)
		}
		if data, _ := io.ReadAll(s2); string(data) != "abcd" {
			t.Errorf("second section %q", data)
		}
		if _, err := m.NextSection(); err != io.EOF {
			t.Errorf("after the last section: %v", err)
		}
	}
}

// fetchThree answers UID FETCH with three messages of 1000 bytes each.
func fetchThree(tag, line string) string {
	if !strings.Contains(line, "FETCH") {
		return ""
	}
	var b strings.Builder
	for i := 1; i <= 3; i++ {
		b.WriteString("* " + itoa(uint32(i)) + " FETCH (UID " + itoa(uint32(10+i)) + " BODY[] {1000}\r\n" + bigBody(1000) + ")\r\n")
	}
	b.WriteString("{tag} OK done\r\n")
	return b.String()
}

func TestFetchIterBreakDrains(t *testing.T) {
	var ups []Update
	opts := &Options{Limits: smallInline.Limits, OnUpdate: func(u Update) { ups = append(ups, u) }}
	c, f := newFetchFake(t, fakeCaps, opts, func(tag, line string) string {
		s := fetchThree(tag, line)
		if strings.Contains(line, "FETCH") {
			// An update among the responses drained after the break.
			s = strings.Replace(s, "* 3 FETCH", "* 7 FETCH (FLAGS (\\Deleted))\r\n* 3 FETCH", 1)
		}
		return s
	})
	ctx := ctxFetch(t)
	n := 0
	for m, err := range c.FetchIter(ctx, SetString("11:13"), []string{"BODY[]"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if s, err := m.NextSection(); err != nil || s.Size != 1000 {
			t.Fatalf("section %v %v", s, err)
		}
		break // with the section unread
	}
	if n != 1 {
		t.Fatalf("%d messages before break", n)
	}
	// The connection is free and in step: the next command works, and
	// none of the rest of the FETCH comes back as an update.
	if len(ups) != 1 || ups[0].(*FetchUpdate).SeqNum != 7 {
		t.Errorf("updates while draining: %+v", ups)
	}
	got, err := c.Noop(ctx)
	if err != nil {
		t.Fatalf("NOOP after break: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("NOOP collected %d responses", len(got))
	}
	res, err := c.Fetch(ctx, SetString("11:13"), []string{"BODY[]"})
	if err != nil || len(res) != 3 || len(res[12].Sections["BODY[]"]) != 1000 || len(ups) != 2 {
		t.Fatalf("Fetch after break: %d results, %v", len(res), err)
	}
	if cmds := f.commands(); len(cmds) != 3 {
		t.Errorf("commands %q", cmds)
	}
}

func TestFetchIterPanicAbandons(t *testing.T) {
	c, _ := newFetchFake(t, fakeCaps, smallInline, fetchThree)
	ctx := ctxFetch(t)
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v", r)
			}
		}()
		for range c.FetchIter(ctx, SetString("11:13"), []string{"BODY[]"}) {
			panic("boom")
		}
	}()
	// The lock was released and the abandoned FETCH is drained first.
	res, err := c.Fetch(ctx, ID(11), []string{"BODY[]"})
	if err != nil || len(res) != 1 || res[11] == nil {
		t.Fatalf("Fetch after panic: %d results, %v", len(res), err)
	}
}

func TestFetchIterCancelMidSection(t *testing.T) {
	c, f := newFetchFake(t, fakeCaps, smallInline, func(tag, line string) string {
		if !strings.Contains(line, "FETCH") {
			return ""
		}
		if strings.Contains(line, "UID FETCH 5 ") {
			return "* 1 FETCH (UID 5 BODY[] {1000}\r\n" + bigBody(100) + "{stall}" + bigBody(900) + ")\r\n{tag} OK\r\n"
		}
		return "* 1 FETCH (UID 6 FLAGS ())\r\n{tag} OK\r\n"
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var readErr, iterErr error
	for m, err := range c.FetchIter(ctx, ID(5), []string{"BODY[]"}) {
		if err != nil {
			iterErr = err
			break
		}
		s, err := m.NextSection()
		if err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(50*time.Millisecond, cancel)
		_, readErr = io.Copy(io.Discard, s) // blocks at byte 100 until ctx ends
	}
	if !errors.Is(readErr, context.Canceled) {
		t.Errorf("read error %v, want one matching context.Canceled", readErr)
	}
	if iterErr != nil && !errors.Is(iterErr, context.Canceled) {
		t.Errorf("iteration error %v", iterErr)
	}
	f.release()
	ctx2 := ctxFetch(t)
	res, err := c.Fetch(ctx2, ID(6), []string{"FLAGS"})
	if err != nil || res[6] == nil {
		t.Fatalf("Fetch after a cancelled stream: %v %v", res, err)
	}
}

func TestFetchIterSequenceNumbers(t *testing.T) {
	c, _ := newFetchFake(t, fakeCaps, &Options{SequenceNumbers: true}, func(tag, line string) string {
		if !strings.HasPrefix(line, "FETCH") {
			return ""
		}
		return "* 1 FETCH (FLAGS ())\r\n* 7 FETCH (FLAGS (\\Deleted))\r\n* 2 FETCH (FLAGS (\\Seen))\r\n{tag} NO [EXPUNGEISSUED] some messages are gone\r\n"
	})
	var seqs []uint32
	var last error
	for m, err := range c.FetchIter(ctxFetch(t), IDs{1, 2}, []string{"FLAGS"}) {
		if err != nil {
			last = err
			continue
		}
		seqs = append(seqs, m.SeqNum)
	}
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 {
		t.Errorf("yielded %v", seqs)
	}
	var se *ServerError
	if !errors.As(last, &se) || se.Response.Code != "EXPUNGEISSUED" {
		t.Errorf("final error %v", last)
	}
}

func TestFetchIterSplitsLongSets(t *testing.T) {
	c, f := newFetchFake(t, fakeCaps, nil, func(tag, line string) string {
		first, _, _ := strings.Cut(strings.Fields(line)[2], ",")
		first, _, _ = strings.Cut(first, ":")
		return "* 1 FETCH (UID " + first + " FLAGS ())\r\n{tag} OK\r\n"
	})
	var ids IDs
	for i := uint32(1); i < 6000; i += 2 {
		ids = append(ids, i)
	}
	n := 0
	for m, err := range c.FetchIter(ctxFetch(t), ids, []string{"FLAGS"}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.UID == 0 {
			t.Error("no UID")
		}
		n++
	}
	if cmds := f.commands(); len(cmds) < 2 || n != len(cmds) {
		t.Errorf("%d messages from %d commands", n, len(cmds))
	}
}

// shortWriter accepts at most max bytes per Write and fails after limit.
type shortWriter struct {
	strings.Builder
	limit int
}

func (w *shortWriter) Write(p []byte) (int, error) {
	if w.limit >= 0 && w.Len()+len(p) > w.limit {
		n, _ := w.Builder.Write(p[:w.limit-w.Len()])
		return n, errors.New("disk full")
	}
	return w.Builder.Write(p)
}

// TestSectionWriteTo: io.Copy takes Section.WriteTo, which must deliver
// exactly the section (larger than its buffer and than the decoder's),
// leave the stream in step for the next message, report the writer's
// error, and refuse a stale section.
func TestSectionWriteTo(t *testing.T) {
	body := bigBody(1<<20 + sectionCopySize + 12345) // many buffers' worth, not a multiple of one
	c, _ := newFetchFake(t, fakeCaps, smallInline, func(tag, line string) string {
		if !strings.HasPrefix(line, "UID FETCH") {
			return ""
		}
		return fmt.Sprintf("* 1 FETCH (UID 5 BODY[] {%d}\r\n%s)\r\n", len(body), body) +
			fmt.Sprintf("* 2 FETCH (UID 6 BODY[] {%d}\r\n%s)\r\n", len(body), body) +
			"* 3 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n{tag} OK done\r\n"
	})
	var kept *Section
	var got []string
	for m, err := range c.FetchIter(ctxFetch(t), IDs{5, 6, 7}, []string{"BODY.PEEK[]"}) {
		if err != nil {
			t.Fatal(err)
		}
		sec, err := m.NextSection()
		if err != nil {
			t.Fatal(err)
		}
		w := &shortWriter{limit: -1}
		if m.UID == 6 {
			w.limit = 1000 // the writer fails part-way: the rest is skipped
		}
		if _, ok := io.Reader(sec).(io.WriterTo); !ok {
			t.Fatal("Section is not an io.WriterTo")
		}
		n, err := io.Copy(w, sec)
		src := body
		if m.UID == 7 {
			src = "hello"
		}
		got = append(got, fmt.Sprintf("uid=%d n=%d err=%v same=%v", m.UID, n, err, w.String() == src[:n]))
		kept = sec
	}
	want := []string{
		fmt.Sprintf("uid=5 n=%d err=<nil> same=true", len(body)),
		"uid=6 n=1000 err=disk full same=true",
		"uid=7 n=5 err=<nil> same=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := kept.WriteTo(io.Discard); !errors.Is(err, errStale) {
		t.Errorf("WriteTo after the loop body: %v", err)
	}
}
