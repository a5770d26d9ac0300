package sasl_test

import (
	"encoding/base64"
	"fmt"

	"github.com/imapclient-go/imapclient/sasl"
)

func ExampleNewPlain() {
	m := sasl.NewPlain("", "tim", "tanstaaftanstaaf")
	ir, hasIR, err := m.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), hasIR)
	fmt.Printf("%q\n", ir)
	// With SASL-IR (RFC 4959) the initial response goes on the command
	// line. Never log it: it contains the password.
	fmt.Println("A1 AUTHENTICATE", m.Name(), base64.StdEncoding.EncodeToString(ir))
	// Formatting the mechanism shows only its name.
	fmt.Printf("%v\n", m)
	// Output:
	// PLAIN true
	// "\x00tim\x00tanstaaftanstaaf"
	// A1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm
	// sasl.Mechanism(PLAIN)
}
