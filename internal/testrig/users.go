package testrig

// User is one account of the rig's Dovecot (passwd-file, plaintext passwords,
// so every SASL mechanism works for it).
type User struct {
	Name, Password string
}

// The rig's users. Carol's password is non-ASCII UTF-8; Dave's contains a
// space, a double quote and a backslash, to exercise IMAP string quoting.
var (
	Alice = User{Name: "alice", Password: "alicepw"}
	Bob   = User{Name: "bob", Password: "bobpw"}
	Carol = User{Name: "carol", Password: "pässwörd€"}
	Dave  = User{Name: "dave", Password: `p a"ss\word`}
)
