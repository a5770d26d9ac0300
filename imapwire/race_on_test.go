//go:build race

package imapwire

const raceEnabled = true
