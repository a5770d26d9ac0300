package testrig

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// PrivateDovecot is a Dovecot instance of one test's own, for tests that
// kill the server: the rig's Dovecot is shared by every test of the run
// (and by parallel packages) and must never be stopped. It is derived from
// the rig's generated dovecot.conf (IMAPTEST_DOVECOT_CONF), so it has the
// same users, certificate, plugins and mail location, but its own
// directory under /tmp (base_dir, state_dir, log, mail homes) and its own
// ports. It needs root, like the rig: its mail processes run as the rig's
// mail_uid.
//
// Its master runs in the foreground ("dovecot -F") in a process group of
// its own, which every process it forks (log, config, auth, anvil, stats,
// imap-login and the per-connection imap processes) inherits; Kill sends
// SIGKILL to that group. The test's cleanup kills it and removes its
// directory.
type PrivateDovecot struct {
	// Server describes the instance the way RequireDovecot describes the
	// rig's: Addr, TLSAddr, ConfFile, PIDFile, LogFile and ExecCommand are
	// the instance's own; CAFile, WrongCAFile and OAuthKey are the rig's.
	*Server
	// Dir is the instance's directory.
	Dir string

	bin string

	mu       sync.Mutex
	cmd      *exec.Cmd     // nil while it is not running
	exited   chan struct{} // closed when cmd has exited and been reaped
	startLog string
}

// Process is one process of a killed PrivateDovecot.
type Process struct {
	PID  int
	Name string // its comm: dovecot (the master), imap, imap-login, auth, ...

	ppid, pgrp int
	start      string // start time in clock ticks, against pid reuse
}

// StartPrivateDovecot starts a PrivateDovecot and waits until both its
// ports accept connections. Like RequireDovecot it skips the test on
// other targets, and without the rig (or without root) it skips the test,
// or fails it when CI is set.
func StartPrivateDovecot(t testing.TB) *PrivateDovecot {
	t.Helper()
	rig := RequireDovecot(t)
	if rig.ConfFile == "" {
		unavailable(t, "a private Dovecot needs the rig's dovecot.conf (IMAPTEST_DOVECOT_CONF unset)")
	}
	if uid := os.Geteuid(); uid != 0 {
		unavailable(t, "a private Dovecot runs its mail processes as the rig's mail user, which needs root (running as uid %d)", uid)
	}
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = "/usr/sbin/dovecot"
	}
	conf, err := os.ReadFile(rig.ConfFile)
	if err != nil {
		t.Fatalf("testrig: %v", err)
	}
	// Under /tmp, not t.TempDir: Dovecot's UNIX sockets live in base_dir,
	// and a socket path may not exceed 107 bytes.
	dir, err := os.MkdirTemp("/tmp", "imaptest-private.")
	if err != nil {
		t.Fatalf("testrig: %v", err)
	}
	d := &PrivateDovecot{Dir: dir, bin: bin, startLog: filepath.Join(dir, "dovecot.start.log")}
	t.Cleanup(func() {
		if t.Failed() && d.Server != nil {
			t.Logf("testrig: the end of the private Dovecot's log (%s):\n%s", d.LogFile, tail(d.logsSince([2]int64{}), 60))
		}
		if d.running() {
			if _, err := d.Kill(); err != nil {
				t.Errorf("testrig: stopping the private Dovecot: %v", err)
			}
		}
		os.RemoveAll(dir)
	})
	// Mail and login processes run unprivileged and must reach their files
	// through dir (MkdirTemp makes it 0700).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("testrig: %v", err)
	}
	for attempt := 1; ; attempt++ {
		ports := freePorts(t, 2)
		text, mailUser, err := privateConf(string(conf), dir, ports[0], ports[1])
		if err != nil {
			t.Fatalf("testrig: deriving a private dovecot.conf from %s: %v", rig.ConfFile, err)
		}
		if attempt == 1 {
			if err := makeMailDir(filepath.Join(dir, "mail"), mailUser); err != nil {
				t.Fatalf("testrig: %v", err)
			}
		}
		confFile := filepath.Join(dir, "dovecot.conf")
		if err := os.WriteFile(confFile, []byte(text), 0o644); err != nil {
			t.Fatalf("testrig: %v", err)
		}
		s := *rig
		s.Name = "private Dovecot"
		s.Addr = fmt.Sprintf("127.0.0.1:%d", ports[0])
		s.TLSAddr = fmt.Sprintf("127.0.0.1:%d", ports[1])
		s.ConfFile = confFile
		s.PIDFile = filepath.Join(dir, "run", "master.pid")
		s.LogFile = filepath.Join(dir, "dovecot.log")
		s.ExecCommand = strings.Replace(rig.ExecCommand, rig.ConfFile, confFile, 1)
		d.Server = &s
		err = d.start()
		if err == nil {
			return d
		}
		if attempt == 3 || !errors.Is(err, errPortTaken) {
			t.Fatalf("testrig: %v", err)
		}
	}
}

var errPortTaken = errors.New("a port is taken")

// privateConf rewrites the rig's dovecot.conf for an instance in dir on
// the given ports and returns it with the name of its mail user. Every
// setting it must change has to be there: a missing one means
// scripts/dovecot.sh changed and this function must follow.
func privateConf(conf, dir string, port, tlsPort int) (string, string, error) {
	set := map[string]string{
		"instance_name":  filepath.Base(dir),
		"base_dir":       filepath.Join(dir, "run"),
		"state_dir":      filepath.Join(dir, "state"),
		"log_path":       filepath.Join(dir, "dovecot.log"),
		"info_log_path":  filepath.Join(dir, "dovecot.log"),
		"debug_log_path": filepath.Join(dir, "dovecot.log"),
		"default_fields": "home=" + filepath.Join(dir, "mail") + "/%u",
	}
	done := map[string]int{}
	var out strings.Builder
	var listener, mailUser string
	for line := range strings.Lines(conf) {
		line = strings.TrimRight(line, "\n")
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if f := strings.Fields(line); len(f) == 3 && f[0] == "inet_listener" && f[2] == "{" {
			listener = f[1]
		}
		switch {
		case ok && set[key] != "":
			line = indent + key + " = " + set[key]
			done[key]++
		case ok && key == "port" && (listener == "imap" || listener == "imaps"):
			p := port
			if listener == "imaps" {
				p = tlsPort
			}
			line = indent + "port = " + strconv.Itoa(p)
			done["port "+listener]++
		case ok && key == "mail_uid":
			mailUser = value
		}
		out.WriteString(line + "\n")
	}
	for _, k := range []string{"instance_name", "base_dir", "state_dir", "log_path", "info_log_path", "debug_log_path", "default_fields", "port imap", "port imaps"} {
		if done[k] != 1 {
			return "", "", fmt.Errorf("%q set %d times, want once", k, done[k])
		}
	}
	if mailUser == "" {
		return "", "", errors.New("no mail_uid")
	}
	return out.String(), mailUser, nil
}

// makeMailDir creates the mail homes' directory, owned by the mail user
// and private to it, as scripts/dovecot.sh does.
func makeMailDir(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		if u, err = user.LookupId(name); err != nil {
			return fmt.Errorf("mail_uid %s: %v", name, err)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	return os.Chown(dir, uid, gid)
}

// freePorts returns n distinct free ports on 127.0.0.1, below the
// ephemeral range when it can: the instance is restarted on the same
// ports, and while it is down an outgoing connection could otherwise be
// given one of them as its local port.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil {
				lo = v
			}
		}
	}
	var ports []int
	for tries := 0; len(ports) < n && tries < 200; tries++ {
		p := 0 // any free port, when there is no room below the range
		if lo > 12000 {
			p = 10000 + rand.IntN(lo-10000)
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		p = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	if len(ports) < n {
		t.Fatalf("testrig: could not find %d free ports", n)
	}
	return ports
}

func (d *PrivateDovecot) running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cmd != nil
}

// start launches the master and waits until both ports accept
// connections. d.mu is held or d is not shared yet.
func (d *PrivateDovecot) start() error {
	os.Remove(d.PIDFile) // a killed master leaves it behind
	logs := d.logSizes()
	out, err := os.OpenFile(d.startLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(d.bin, "-F", "-c", d.ConfFile)
	cmd.Stdout, cmd.Stderr = out, out
	// Setpgid: a process group of its own, for Kill. Pdeathsig: should the
	// test binary die (a panic, a timeout), the master dies too, and its
	// children follow it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %v", d.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	d.cmd, d.exited = cmd, exited
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := os.Stat(d.PIDFile); err == nil && accepts(d.Addr) && accepts(d.TLSAddr) {
			return nil
		}
		select {
		case <-exited:
			d.cmd = nil
			text := d.logsSince(logs)
			err := fmt.Errorf("the private Dovecot exited during start-up (%v); its output and log:\n%s", cmd.ProcessState, text)
			if strings.Contains(text, "Address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.kill()
			return fmt.Errorf("the private Dovecot did not accept connections on %s and %s within 15 s; its output and log:\n%s", d.Addr, d.TLSAddr, d.logsSince(logs))
		}
	}
}

// tail returns the last n lines of text.
func tail(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "")
}

func accepts(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func (d *PrivateDovecot) logSizes() [2]int64 {
	var n [2]int64
	for i, f := range []string{d.startLog, d.LogFile} {
		if fi, err := os.Stat(f); err == nil {
			n[i] = fi.Size()
		}
	}
	return n
}

func (d *PrivateDovecot) logsSince(from [2]int64) string {
	var b bytes.Buffer
	for i, f := range []string{d.startLog, d.LogFile} {
		if data, err := os.ReadFile(f); err == nil && int64(len(data)) >= from[i] {
			b.Write(data[from[i]:])
		}
	}
	return b.String()
}

// Restart starts the instance again after Kill, on the same ports, and
// waits until both accept connections. The mail is what the killed
// instance left behind, except for its dot-lock files, which Restart
// removes and returns (their paths relative to the mail directory).
//
// A process killed while it held a dot-lock (maildir's dovecot-uidlist.lock
// above all: it is also the new uidlist being written) leaves the file
// behind, and Dovecot only takes such a lock for stale once it has not
// changed for two minutes: until then every process that needs it waits,
// an APPEND to any folder included (the quota's count may need to sync
// the locked folder). After Kill no process of the instance is left, so
// every lock is stale; removing them is what Dovecot itself does two
// minutes later. A port taken meanwhile is waited for, up to 3 s.
func (d *PrivateDovecot) Restart() (staleLocks []string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		return nil, errors.New("testrig: Restart: the private Dovecot is running; Kill it first")
	}
	mail := filepath.Join(d.Dir, "mail")
	err = filepath.WalkDir(mail, func(path string, e os.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".lock") {
			return err
		}
		rel, _ := filepath.Rel(mail, path)
		staleLocks = append(staleLocks, rel)
		return os.Remove(path)
	})
	if err != nil {
		return staleLocks, fmt.Errorf("testrig: Restart: removing stale locks: %w", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := d.start()
		if err == nil || !errors.Is(err, errPortTaken) || time.Now().After(deadline) {
			if err != nil {
				err = fmt.Errorf("testrig: Restart: %w", err)
			}
			return staleLocks, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Kill kills every process of the instance with SIGKILL, as a crash or
// an OOM kill would, and waits until they are all gone. It first stops
// the whole process group at once (SIGSTOP), so the server freezes at
// the moment of the call, then lists the group's processes and any other
// descendant of the master from /proc, then kills the group and those
// descendants. It returns the processes it killed: the master
// ("dovecot"), its services (log, config, anvil, stats, auth,
// imap-login) and one "imap" per logged-in connection. Kill is safe to
// call from any goroutine.
func (d *PrivateDovecot) Kill() ([]Process, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return nil, errors.New("testrig: Kill: the private Dovecot is not running")
	}
	return d.kill()
}

func (d *PrivateDovecot) kill() ([]Process, error) {
	cmd, exited := d.cmd, d.exited
	d.cmd = nil
	select {
	case <-exited:
		return nil, fmt.Errorf("testrig: Kill: the private Dovecot had exited by itself (%v)", cmd.ProcessState)
	default:
	}
	// The master is our unreaped child, so its pid is still its group's.
	pgid := cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGSTOP); err != nil {
		return nil, fmt.Errorf("testrig: Kill: SIGSTOP to process group %d: %v", pgid, err)
	}
	procs := instanceProcs(pgid)
	err := syscall.Kill(-pgid, syscall.SIGKILL)
	for _, p := range procs {
		if p.pgrp != pgid { // left the group: kill it on its own
			syscall.Kill(p.PID, syscall.SIGKILL)
		}
	}
	if err != nil {
		return procs, fmt.Errorf("testrig: Kill: SIGKILL to process group %d: %v", pgid, err)
	}
	deadline := time.After(10 * time.Second)
	select {
	case <-exited:
	case <-deadline:
		return procs, fmt.Errorf("testrig: Kill: the master (pid %d) did not die within 10 s", pgid)
	}
	for _, p := range procs {
		for !p.gone() {
			select {
			case <-deadline:
				return procs, fmt.Errorf("testrig: Kill: %s (pid %d) did not die within 10 s", p.Name, p.PID)
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	return procs, nil
}

// instanceProcs returns the processes in process group pgid and every
// descendant of process pgid (the master) that left the group.
func instanceProcs(pgid int) []Process {
	ents, _ := os.ReadDir("/proc")
	var all []Process
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			all = append(all, p)
		}
	}
	in := map[int]bool{}
	for changed := true; changed; {
		changed = false
		for _, p := range all {
			if !in[p.PID] && (p.pgrp == pgid || p.PID == pgid || in[p.ppid]) {
				in[p.PID] = true
				changed = true
			}
		}
	}
	var procs []Process
	for _, p := range all {
		if in[p.PID] {
			procs = append(procs, p)
		}
	}
	return procs
}

// readProc parses /proc/pid/stat; ok is false when the process is gone
// or a zombie.
func readProc(pid int) (p Process, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return p, false
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return p, false
	}
	// After the comm: state ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt cmajflt utime stime cutime cstime priority nice
	// num_threads itrealvalue starttime ...
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return p, false
	}
	p.PID = pid
	p.Name = string(b[open+1 : end])
	p.ppid, _ = strconv.Atoi(f[1])
	p.pgrp, _ = strconv.Atoi(f[2])
	p.start = f[19]
	return p, true
}

// gone reports whether the process died (a zombie counts as dead).
func (p Process) gone() bool {
	q, ok := readProc(p.PID)
	return !ok || q.start != p.start
}
